// Following up, in Chromium and in pt-BR (issue 25): a campaign sent through the simulator with
// a tracked link, clicked from a phone; the campaign page shows the click funnel, the clicks per
// link and the sales traced to it; a "Lembrete" is made from the page (with JavaScript and
// without) and parent and follow-up link to each other. axe-core clean. Screenshots go to
// end2end/artifacts/.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { hydrated, launch, seriousViolations, shot, signedIn } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';
import { Sim } from '../support/sim.mjs';

const PASSWORD = 'e2e-password-123';
const PHONE_AGENT = 'Mozilla/5.0 (Linux; Android 13; SM-A135M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36';

let flow;
let sim;
let browser;
let shop;
let campaign;

/** Taps a tracked link from a phone (another address than Evolution's); the status. */
function tap(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress: '127.0.0.2', headers: { 'user-agent': PHONE_AGENT } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
  });
}

before(async () => {
  sim = await Sim.start({ SIM_PACE_MS: '20', SIM_CLICK_PERCENT: '0' });
  flow = await Flow.start({ FLOW_SENDER: 'on' });
  browser = await launch();
  shop = await flow.tenant('Moda Praia');
  flow.user(shop.id, 'admin@moda.test', PASSWORD, 'admin');
  const instance = await flow.api('POST', '/api/v1/instances', shop.api_token, {
    instance_name: 'moda-01',
    api_url: sim.base,
    api_key: sim.apiKey,
    api_version: 'v2',
  });
  await flow.api('POST', `/api/v1/instances/${instance.id}/refresh`, shop.api_token, {});
  await flow.api('POST', `/api/v1/instances/${instance.id}/webhook`, shop.api_token, {});
  await flow.api('POST', '/api/v1/contacts', shop.api_token, Array.from({ length: 8 }, (_, i) => ({
    name: `Cliente ${i + 1}`,
    phone: `+55 11 9${String(84000001 + i).padStart(8, '0')}`,
  })));
  const contacts = (await flow.api('GET', '/api/v1/contacts', shop.api_token)).map((c) => c.id);
  campaign = await flow.api('POST', '/api/v1/campaigns', shop.api_token, {
    name: 'Liquida de biquínis',
    message: 'Oi {{first_name}}! Biquínis com 40% em https://moda.exemplo.com.br/liquida',
    instance_ids: [instance.id],
    contact_ids: contacts,
    settings: { min_delay_ms: 0, max_delay_ms: 0 },
  });
  await flow.api('POST', `/api/v1/campaigns/${campaign.id}/start`, shop.api_token, {});
  const deadline = Date.now() + 60_000;
  while ((await flow.api('GET', `/api/v1/campaigns/${campaign.id}`, shop.api_token)).status !== 'completed') {
    if (Date.now() > deadline) throw new Error('the campaign did not complete');
    await new Promise((r) => setTimeout(r, 200));
  }
  // Two people tap the link (one twice); one of them buys.
  const codes = flow.sql(`SELECT code FROM link_code WHERE campaign_id = ${campaign.id} ORDER BY id LIMIT 2`).split('\n');
  assert.equal(codes.length, 2);
  for (const code of [codes[0], codes[0], codes[1]]) assert.equal(await tap(`${flow.base}/l/${code}`), 302);
  const buyer = flow.sql(`SELECT c.phone FROM link_code lc JOIN contact c ON c.id = lc.contact_id WHERE lc.code = '${codes[0]}'`);
  await flow.api('POST', '/api/v1/conversions', shop.api_token, {
    phone: buyer, value: 199.9, currency: 'BRL', order_id: 'PED-77',
  });
});

after(async () => {
  await browser?.close();
  flow?.stop();
  sim?.stop();
});

function page(options = {}) {
  return signedIn(browser, flow.base, 'admin@moda.test', PASSWORD, options);
}

test('the campaign page shows the click funnel, the link and the sales', async () => {
  for (const options of [{ javaScriptEnabled: true }, { javaScriptEnabled: false }]) {
    const p = await page(options);
    await p.goto(`${flow.base}/campaigns/${campaign.id}`);
    if (options.javaScriptEnabled) await hydrated(p);
    assert.match(await p.textContent('[data-testid=funnel]'), /Clicaram/);
    assert.equal((await p.textContent('[data-testid=clicks-total]')).trim(), '3');
    assert.equal((await p.textContent('[data-testid=clicks-unique]')).trim(), '2');
    assert.match(await p.textContent('[data-testid=link-clicks]'), /moda\.exemplo\.com\.br\/liquida/);
    assert.equal((await p.textContent('[data-testid=conversions-count]')).trim(), '1');
    assert.equal((await p.textContent('[data-testid=conversions-revenue]')).trim(), 'R$ 199,90');
    // The recipients filter "Clicou".
    await p.goto(`${flow.base}/campaigns/${campaign.id}?status=clicked`);
    assert.equal(await p.locator('[data-testid=recipients] tbody tr').count(), 2);
    if (options.javaScriptEnabled) {
      assert.deepEqual(await seriousViolations(p), [], 'axe');
    }
    await shot(p, `campaign-clicks${options.javaScriptEnabled ? '' : '-nojs'}`);
    await p.context().close();
  }
});

test('a follow-up is made from the page and parent and child show each other', async () => {
  // The messages are two days old: old enough for a reminder.
  flow.sql(`UPDATE campaign_contact SET sent_at = datetime('now', '-2 days') WHERE campaign_id = ${campaign.id}`);
  for (const [options, message] of [
    [{ javaScriptEnabled: true }, 'Oi {{first_name}}, a liquida acaba hoje!'],
    [{ javaScriptEnabled: false }, 'Última chamada, {{first_name}}!'],
  ]) {
    const p = await page(options);
    await p.goto(`${flow.base}/campaigns/${campaign.id}`);
    if (options.javaScriptEnabled) await hydrated(p);
    await p.selectOption('[data-testid=follow-up-segment]', options.javaScriptEnabled ? 'not_clicked' : 'not_read');
    await p.fill('[data-testid=follow-up-message]', message);
    const child = (url) => /^\/campaigns\/\d+$/.test(url.pathname) && url.pathname !== `/campaigns/${campaign.id}`;
    await Promise.all([p.waitForURL(child), p.click('[data-testid=follow-up-create]')]);
    assert.match(await p.textContent('[data-testid=follow-up-of]'), /Lembrete de\s+Liquida de biquínis/);
    assert.match(await p.textContent('[data-testid=campaign-name]'), /Lembrete: Liquida de biquínis/);
    // The log line arrives with the page's log, loaded after the page itself.
    await p.waitForFunction(() => document.body.innerText.includes('Lembrete criado'), null, { timeout: 10_000 }).catch(() => {});
    assert.match(await p.textContent('body'), /Lembrete criado: quem recebe é decidido ao iniciar/);
    if (options.javaScriptEnabled) assert.deepEqual(await seriousViolations(p), [], 'axe');
    await shot(p, `follow-up-draft${options.javaScriptEnabled ? '' : '-nojs'}`);
    await p.context().close();
  }
  const p = await page();
  await p.goto(`${flow.base}/campaigns/${campaign.id}`);
  await hydrated(p);
  const list = p.locator('[data-testid=follow-up-list] li');
  assert.equal(await list.count(), 2);
  assert.match(await list.nth(0).textContent(), /Não clicaram/);
  assert.match(await list.nth(1).textContent(), /Não leram/);
  assert.match(await list.nth(0).textContent(), /Lista definida ao iniciar/);
  assert.deepEqual(await seriousViolations(p), [], 'axe');
  await shot(p, 'campaign-follow-ups');
  await p.context().close();
});
