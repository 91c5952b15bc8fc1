// What the campaigns teach, in Chromium and in pt-BR (issue 23): /insights draws the weekday ×
// hour heatmap and says the best hours in a sentence; the campaign page draws its time-to-read
// histogram; /campaigns/compare puts campaigns side by side and exports them as CSV; the
// new-campaign form offers sending at each person's best hour. With JavaScript and without;
// axe-core clean. Screenshots go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, seriousViolations, shot, signedIn } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';
const CONTACTS = 40;
// Eight past campaigns, one a day, each sent at one hour (São Paulo); those sent at 19h are
// read within minutes, the others three hours later.
const HOURS = [19, 9, 11, 19, 14, 16, 21, 10];

let flow;
let browser;
let shop;
let campaigns = [];

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  shop = await flow.tenant('Doceria Flor de Sal');
  flow.user(shop.id, 'admin@flor.test', PASSWORD, 'admin');
  const instance = await flow.api('POST', '/api/v1/instances', shop.api_token, {
    instance_name: 'flor-01',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key',
    api_version: 'v2',
  });
  await flow.api('POST', '/api/v1/contacts', shop.api_token, Array.from({ length: CONTACTS }, (_, i) => ({
    name: `Cliente ${i + 1}`,
    phone: `+55 11 9${String(82000000 + i).padStart(8, '0')}`,
  })));
  for (const [k, hour] of HOURS.entries()) {
    const c = await flow.api('POST', '/api/v1/campaigns', shop.api_token, {
      name: `Fornada ${k + 1} (${hour}h)`,
      message: 'Olá {{first_name}}, saiu fornada nova!',
      instance_ids: [instance.id],
      all_contacts: true,
    });
    campaigns.push(c);
    const sent = `strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-${k + 1} days', 'start of day', '+${hour + 3} hours', '+' || (id % 40) || ' minutes')`;
    const readAfter = hour === 19 ? '+5 minutes' : '+3 hours';
    flow.sql(
      `UPDATE campaign_contact SET whatsapp_message_id = 'F${k}-' || id, status = 'read', sent_at = ${sent} WHERE campaign_id = ${c.id};` +
      `UPDATE campaign_contact SET delivered_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', sent_at, '+20 seconds'), ` +
      `read_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', sent_at, '${readAfter}') WHERE campaign_id = ${c.id};` +
      `UPDATE campaign SET status = 'completed', sent = total, delivered = total, read = total, pending = 0 WHERE id = ${c.id};`,
    );
  }
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

function page(options = {}) {
  return signedIn(browser, flow.base, 'admin@flor.test', PASSWORD, options);
}

async function axe(p) {
  assert.deepEqual(await seriousViolations(p), [], `axe on ${p.url()}`);
}

const SENTENCE = /19h–20h: lidas na primeira hora 4,0× mais que a média — 80 mensagens/;

test('/insights shows the heatmap and names the best hours in Portuguese', async () => {
  const p = await page();
  await p.goto(`${flow.base}/insights`);
  await hydrated(p);
  assert.match(await p.textContent('[data-testid=recommendation-text]'), SENTENCE);
  assert.equal(await p.locator('[data-testid=heatmap] rect').count(), 168);
  assert.equal(await p.locator('[data-testid=heatmap] rect[data-best=true]').count(), 2);
  assert.match(await p.textContent('[data-testid=evidence]'), /320 envios, 320 leituras/);
  await axe(p);
  await shot(p, 'insights-pt-BR-heatmap');

  // One campaign's messages only: too few for a recommendation, said in Portuguese.
  await p.selectOption('[data-testid=filter-campaign]', String(campaigns[1].id));
  await p.selectOption('[data-testid=filter-metric]', 'sends');
  await Promise.all([p.waitForURL(/campaign_id=/), p.click('[data-testid=insights-filters] button[type=submit]')]);
  await p.waitForFunction(() => /40 envios/.test(document.querySelector('[data-testid=evidence]')?.textContent ?? ''));
  assert.match(await p.textContent('[data-testid=recommendation-text]'), /Ainda não há dados suficientes/);
  const busiest = await p.locator('[data-testid=heatmap] rect[data-value="40"]').count();
  assert.equal(busiest, 1, 'the one hour that campaign was sent in');
  await p.context().close();
});

test('/insights and its filters work without JavaScript', async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(`${flow.base}/insights`);
  assert.match(await p.textContent('[data-testid=recommendation-text]'), SENTENCE);
  assert.equal(await p.locator('[data-testid=heatmap] rect').count(), 168);
  await p.selectOption('[data-testid=filter-campaign]', String(campaigns[0].id));
  await Promise.all([p.waitForURL(/campaign_id=/), p.click('[data-testid=insights-filters] button[type=submit]')]);
  assert.match(await p.textContent('[data-testid=evidence]'), /40 envios, 40 leituras/);
  await shot(p, 'insights-pt-BR-filtered-no-js');
  await p.context().close();
});

test('the campaign page draws the time to read, with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const p = await page({ javaScriptEnabled });
    await p.goto(`${flow.base}/campaigns/${campaigns[0].id}`);
    if (javaScriptEnabled) await hydrated(p);
    assert.match(await p.textContent('[data-testid=timing-read]'), /Leitura: mediana de 5 min; 90% em até 5 min/);
    assert.match(await p.textContent('[data-testid=timing-deliver]'), /Entrega: mediana de 20 s/);
    // All 40 reads in the "até 5 min" bar.
    const bars = await p.locator('[data-testid=timing-histogram] title').allTextContents();
    assert.ok(bars.includes('até 5 min: 40'), bars.join(' | '));
    if (javaScriptEnabled) {
      await axe(p);
      await shot(p, 'insights-pt-BR-campaign-time-to-read');
    }
    await p.context().close();
  }
});

test('campaigns side by side, exported as CSV, picked without JavaScript', async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(`${flow.base}/campaigns/compare`);
  await p.check(`[data-testid=compare-picker] input[value="${campaigns[0].id}"]`);
  await p.check(`[data-testid=compare-picker] input[value="${campaigns[1].id}"]`);
  await Promise.all([p.waitForURL(/ids=/), p.click('[data-testid=compare-submit]')]);
  const table = await p.textContent('[data-testid=comparison]');
  assert.match(table, /^Indicador\s*Fornada 2 \(9h\)\s*Fornada 1 \(19h\)/);
  assert.match(table, /Taxa de leitura \(das enviadas\)\s*100,0%\s*100,0%/);
  // In the order asked: the picker lists the newest first.
  assert.match(table, /Mediana até a leitura\s*3 h\s*5 min/);
  await p.context().close();

  const js = await page();
  await js.goto(`${flow.base}/campaigns/compare?ids=${campaigns[0].id},${campaigns[3].id},${campaigns[6].id}`);
  await hydrated(js);
  assert.equal(await js.locator('[data-testid=comparison] thead th').count(), 4);
  await axe(js);
  await shot(js, 'insights-pt-BR-compare');
  const href = await js.getAttribute('[data-testid=export-compare]', 'href');
  const csv = await (await js.request.get(`${flow.base}${href}`)).text();
  const [header, ...lines] = csv.trim().split('\n');
  assert.match(header, /^campanha,status,destinatarios,enviadas,taxa_entrega/);
  assert.equal(lines.length, 3);
  // …then the best variant (none), the click rate, sales, revenue and revenue per message.
  assert.match(lines[0], /^Fornada 1 \(19h\),completed,40,40,100\.00,100\.00,0\.00,0\.00,0\.00,300,,0\.00,0,0\.00,0\.00$/);
  await js.context().close();
});

test('the new-campaign form offers sending at each person\'s best hour, and the page shows who waits', async () => {
  const p = await page();
  await p.goto(`${flow.base}/campaigns/new`);
  await hydrated(p);
  const label = await p.textContent('label:has([data-testid=send-at-best-hour])');
  assert.match(label, /Enviar a cada pessoa no seu melhor horário/);

  // Everyone read most at 19h: all 40 wait for 19:00 (unless it is 19h in São Paulo now).
  const c = await flow.api('POST', '/api/v1/campaigns', shop.api_token, {
    name: 'Fornada no melhor horário',
    message: 'Olá {{first_name}}!',
    instance_ids: [campaigns[0].instance_ids[0]],
    all_contacts: true,
    send_at_best_hour: true,
  });
  await flow.api('POST', `/api/v1/campaigns/${c.id}/start`, shop.api_token);
  const hourNow = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hour12: false, timeZone: 'America/Sao_Paulo' }).format(new Date()));
  if (hourNow !== 19) {
    await p.goto(`${flow.base}/campaigns/${c.id}`);
    await hydrated(p);
    const due = await p.textContent('[data-testid=due-hours]');
    assert.match(due, /19:00\s*40 pessoas \(0 explorando\)/);
    await axe(p);
    await shot(p, 'insights-pt-BR-waiting-for-their-hour');
  }
  await p.context().close();
});
