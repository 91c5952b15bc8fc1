// Audience and consent in Chromium, in pt-BR: upload a CSV with errors and read the report,
// build a list and fill it from a search, put a contact on a list and off it by hand (without
// JavaScript), make a campaign over it with the live count, read the replies view, erase a
// contact. Every page passes axe-core (no serious or critical violation) and fits 390 px.
// Screenshots (pt-BR) go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, seriousViolations, shot, signedIn } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';
const INSTANCE = 'loja-centro';

let flow;
let browser;
let acme;
let instance;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  acme = await flow.tenant('Acme Móveis');
  flow.user(acme.id, 'admin@acme.test', PASSWORD, 'admin');
  instance = await flow.api('POST', '/api/v1/instances', acme.api_token, {
    instance_name: INSTANCE,
    friendly_name: 'Loja Centro',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key',
    api_version: 'v2',
  });
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

function page(options = {}) {
  return signedIn(browser, flow.base, 'admin@acme.test', PASSWORD, options);
}

async function audit(p, path) {
  await p.goto(`${flow.base}${path}`);
  await hydrated(p);
  assert.deepEqual(await seriousViolations(p), [], `axe on ${path}`);
}

let jobPath;
let campaignId;

test('a CSV with errors is uploaded in the browser and its report read', async () => {
  const p = await page();
  await p.goto(`${flow.base}/contacts`);
  const csv = 'nome;celular;cidade\nMaria Silva;+55 11 98200-0001;Recife\nJoão Souza;+55 11 98200-0002;Olinda\n' +
    'Sem número;;Recife\nErrado;11 9820A-0003;\nMaria de novo;55 11 8200-0001;Recife\n';
  await p.setInputFiles('[data-testid=upload-contacts] input[name=file]', {
    name: 'contatos.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'latin1'),
  });
  await p.click('[data-testid=upload-contacts] button[type=submit]');
  await p.waitForURL(/\/contacts\/imports\/\d+$/);
  jobPath = new URL(p.url()).pathname;
  await p.waitForSelector('[data-testid=import-job][data-status=done]', { timeout: 30000 });
  const report = await p.textContent('[data-testid=import-report]');
  assert.match(report, /Criados\s*2/);
  assert.match(report, /Repetidos no arquivo\s*1/);
  assert.match(report, /Linhas inválidas\s*2/);
  assert.ok(await p.isVisible('[data-testid=import-errors]'));
  const href = await p.getAttribute('[data-testid=import-errors]', 'href');
  const errors = await p.evaluate(async (h) => (await fetch(h)).text(), href);
  assert.match(errors, /linha;telefone;motivo/);
  assert.match(errors, /\n4;;/);
  assert.match(errors, /\n5;11 9820A-0003;/);
  await shot(p, 'audience-pt-BR-import-report');
  await p.context().close();
});

test('a list is built, a campaign made over it with the live count, its replies read', async () => {
  const p = await page();
  await p.goto(`${flow.base}/lists`);
  await hydrated(p);
  await p.fill('[data-testid=new-list] input[name=name]', 'Clientes Recife');
  await p.click('[data-testid=new-list] button[type=submit]');
  await p.waitForSelector('[data-testid=list-row]');
  const lists = await flow.api('GET', '/api/v1/lists', acme.api_token);
  const list = lists.find((l) => l.name === 'Clientes Recife');
  await shot(p, 'audience-pt-BR-lists');
  // Every contact the search finds (here: everyone) onto the list, from the contacts page.
  await p.goto(`${flow.base}/contacts`);
  await hydrated(p);
  await p.selectOption('[data-testid=add-results-target]', String(list.id));
  await p.click('[data-testid=add-results-form] button[type=submit]');
  await p.waitForSelector('[data-testid=added-to-list]');
  assert.match(await p.textContent('[data-testid=added-to-list]'), /Contatos adicionados à lista: 2\./);
  await shot(p, 'audience-pt-BR-added-to-list');

  await p.goto(`${flow.base}/campaigns/new`);
  await hydrated(p);
  await p.fill('[data-testid=campaign-name-input]', 'Recife');
  await p.check('[data-testid=audience-lists]');
  await p.check('[data-testid=include-list]');
  await p.waitForFunction(() => /2 contatos \(0 já descadastrados serão ignorados\)/
    .test(document.querySelector('[data-testid=audience-count]')?.textContent ?? ''));
  await shot(p, 'audience-pt-BR-new-campaign-lists');
  await p.click('[data-testid=new-campaign] button[type=submit]');
  await p.waitForURL(/\/campaigns\/\d+$/);
  campaignId = Number(new URL(p.url()).pathname.split('/').pop());
  const c = await flow.api('GET', `/api/v1/campaigns/${campaignId}`, acme.api_token);
  assert.equal(c.counts.total, 2);

  // The sender is off here: the test plays it, then people answer.
  await flow.api('POST', `/api/v1/campaigns/${campaignId}/start`, acme.api_token);
  flow.sql(
    `UPDATE campaign_contact SET whatsapp_message_id = 'AUD-' || id, status = 'sent', sent_at = updated_at WHERE campaign_id = ${campaignId};` +
    `UPDATE campaign SET sent = total, pending = 0 WHERE id = ${campaignId};`,
  );
  await flow.incoming(instance.webhook_url, INSTANCE, '5511982000001', 'AUD-IN-1', 'Qual o preço do sofá?');
  await flow.incoming(instance.webhook_url, INSTANCE, '5511982000002', 'AUD-IN-2', 'Sair');
  for (let i = 0; i < 50; i++) {
    const r = await flow.api('GET', `/api/v1/campaigns/${campaignId}/replies`, acme.api_token);
    if (r.length === 2) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await p.goto(`${flow.base}/campaigns/${campaignId}`);
  const replies = await p.textContent('[data-testid=replies]');
  assert.ok(replies.indexOf('Sair') < replies.indexOf('Qual o preço do sofá?'), 'newest first');
  await p.click('[data-testid=only-opt-outs]');
  await p.waitForURL(/replies=opt_outs/);
  await p.waitForFunction(() => !document.querySelector('[data-testid=replies]')?.textContent.includes('sofá'));
  assert.match(await p.textContent('[data-testid=replies]'), /Sair/);
  await shot(p, 'audience-pt-BR-replies');
  await p.context().close();
});

test('a contact is erased after confirmation', async () => {
  const p = await page();
  const [maria] = await flow.api('GET', '/api/v1/contacts?q=Maria', acme.api_token);
  await p.goto(`${flow.base}/contacts/${maria.id}`);
  await hydrated(p);
  assert.match(await p.textContent('[data-testid=contact-name]'), /Maria de novo/);
  await shot(p, 'audience-pt-BR-contact');
  await p.check('[data-testid=erase-form] input[name=confirm]');
  await p.click('[data-testid=erase-form] button[type=submit]');
  await p.waitForURL(`${flow.base}/contacts`);
  const res = await fetch(`${flow.base}/api/v1/contacts/${maria.id}`, {
    headers: { authorization: `Bearer ${acme.api_token}` },
  });
  assert.equal(res.status, 404);
  await p.goto(`${flow.base}/contacts`);
  assert.ok(!(await p.textContent('[data-testid=contacts]')).includes('Maria'));
  await p.context().close();
});

test('the audience pages pass axe and fit a 390 px phone', async () => {
  const paths = ['/contacts', jobPath, '/lists', `/campaigns/${campaignId}`, '/campaigns/new'];
  const [joao] = await flow.api('GET', '/api/v1/contacts?q=Jo', acme.api_token);
  paths.push(`/contacts/${joao.id}`);
  const p = await page();
  for (const path of paths) await audit(p, path);
  await p.context().close();
  const phone = await page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const wide = {};
  for (const path of paths) {
    await phone.goto(`${flow.base}${path}`);
    await phone.waitForLoadState('networkidle');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide[path] = width;
    await shot(phone, `audience-phone-pt-BR-${path.replace(/\W+/g, '-')}`);
  }
  assert.deepEqual(wide, {}, 'pages wider than the phone');
  await phone.context().close();
});

test('the audience pages work without JavaScript', async () => {
  const p = await page({ javaScriptEnabled: false });
  // The search is a plain GET form; a number typed in any formatting finds the person.
  await p.goto(`${flow.base}/contacts`);
  await p.fill('[data-testid=contact-search] input[name=q]', '(11) 98200-0002');
  await Promise.all([p.waitForURL(/q=/), p.press('[data-testid=contact-search] input[name=q]', 'Enter')]);
  assert.match(await p.textContent('[data-testid=contacts]'), /João Souza/);
  await Promise.all([p.waitForURL(/\/contacts\/\d+$/), p.click('[data-testid=contacts] a >> text=João Souza')]);
  assert.match(await p.textContent('[data-testid=contact-name]'), /João Souza/);
  assert.match(await p.textContent('[data-testid=contact-attributes]'), /Olinda/);
  await shot(p, 'audience-pt-BR-contact-no-js');
  // By hand on his page, without JavaScript: onto a list, and off it again.
  const vip = await flow.api('POST', '/api/v1/lists', acme.api_token, { name: 'VIP' });
  await p.reload();
  await p.selectOption('[data-testid=add-to-list]', String(vip.id));
  await Promise.all([p.waitForNavigation(), p.click('[data-testid=add-to-list-form] button[type=submit]')]);
  assert.match(await p.textContent('[data-testid=contact-lists]'), /VIP/);
  await shot(p, 'audience-pt-BR-contact-lists-no-js');
  await Promise.all([
    p.waitForNavigation(),
    p.click('[data-testid=contact-lists] li:has-text("VIP") button'),
  ]);
  assert.doesNotMatch(await p.textContent('[data-testid=contact-lists]'), /VIP/);
  assert.match(await p.textContent('[data-testid=contact-lists]'), /Clientes Recife/);
  await p.goto(`${flow.base}/lists`);
  assert.match(await p.textContent('main'), /Clientes Recife/);
  await p.goto(`${flow.base}${jobPath}`);
  assert.ok(await p.locator('[data-testid=import-report]').isVisible());
  await p.context().close();
});
