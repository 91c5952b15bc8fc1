// The dashboard in a real browser: login, live numbers from webhooks, admin actions, roles,
// tenant isolation and rendering without JavaScript. Screenshots go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, login, newContext, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';
const INSTANCE = 'loja-centro';
const CONTACTS = 6;

let flow;
let browser;
let seed;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  const acme = await flow.tenant('Acme Móveis');
  const rival = await flow.tenant('Rival Ltda');
  flow.user(acme.id, 'admin@acme.test', PASSWORD, 'admin');
  flow.user(acme.id, 'viewer@acme.test', PASSWORD, 'viewer');
  flow.user(rival.id, 'bob@rival.test', PASSWORD, 'admin');

  const instance = await flow.api('POST', '/api/v1/instances', acme.api_token, {
    instance_name: INSTANCE,
    friendly_name: 'Loja Centro',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key',
    // Nothing answers there to tell the version.
    api_version: 'v2',
  });
  const names = ['Maria Silva', 'João Souza', 'Ana Lima', 'Pedro Alves', 'Carla Dias', 'Lucas Rocha'];
  await flow.api('POST', '/api/v1/contacts', acme.api_token, names.slice(0, CONTACTS).map((name, i) => ({
    name,
    phone: `+55 11 9${String(81000000 + i).padStart(8, '0')}`,
  })));
  // The sender is off: every message is marked accepted by Evolution, as the sender would.
  const { campaign, ids } = await flow.sentCampaign(acme.api_token, {
    name: 'Black Friday 2026',
    message: 'Olá {{first_name}}, a Black Friday da Acme começou!',
    instance_ids: [instance.id],
  }, 'E2E-');
  await flow.receipt(instance.webhook_url, INSTANCE, ids[0], 'DELIVERY_ACK');
  await flow.receipt(instance.webhook_url, INSTANCE, ids[1], 'READ');
  await flow.receipt(instance.webhook_url, INSTANCE, ids[2], 'ERROR');
  await flow.incoming(instance.webhook_url, INSTANCE, '5511981000005', 'E2E-IN-1', 'Sair');
  seed = { acme, rival, instance, campaign, ids };
  // Webhooks are applied asynchronously: wait until the counters show them.
  for (let i = 0; i < 50; i++) {
    const c = await flow.api('GET', `/api/v1/campaigns/${campaign.id}`, acme.api_token);
    if (c.counts.delivered === 2 && c.counts.failed === 1 && c.counts.replied === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

async function page(options = {}) {
  const context = await newContext(browser, { viewport: { width: 1440, height: 900 }, ...options });
  return context.newPage();
}

const text = (p, id) => p.textContent(`[data-testid="${id}"]`).then((t) => t.trim());

test('an admin logs in and sees the campaigns', async () => {
  const p = await page();
  await p.goto(`${flow.base}/login`);
  await shot(p, '01-login');
  await p.fill('input[name=email]', 'admin@acme.test');
  await p.fill('input[name=password]', 'not the password');
  await p.click('button[type=submit]');
  await p.waitForSelector('[data-testid=login-error]');
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.waitForSelector(`[data-testid=campaign-row-${seed.campaign.id}]`);
  const row = await text(p, `campaign-row-${seed.campaign.id}`);
  assert.match(row, /Black Friday 2026/);
  assert.match(row, /6 of 6 sent/);
  await shot(p, '02-campaigns');
  await p.context().close();
});

test('the campaign page shows the numbers and updates live from webhooks', async () => {
  const p = await page();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  assert.equal(await text(p, 'count-sent'), '6');
  assert.equal(await text(p, 'count-delivered'), '2');
  assert.equal(await text(p, 'count-read'), '1');
  assert.equal(await text(p, 'count-failed'), '1');
  const api = await flow.api('GET', `/api/v1/campaigns/${seed.campaign.id}`, seed.acme.api_token);
  assert.equal(await text(p, 'count-opted_out'), String(api.counts.opted_out));
  assert.equal(await text(p, 'count-replied'), '1');
  assert.equal(await text(p, 'rate-delivery'), '33.3%');
  await p.waitForSelector('[data-testid=timeline]');
  await p.waitForSelector('[data-testid=live] >> text=Live');
  await shot(p, '03-campaign');

  // Nothing reloads: a marker on the window survives only without navigation.
  await p.evaluate(() => { window.__noReload = true; });
  const started = Date.now();
  await flow.receipt(seed.instance.webhook_url, INSTANCE, seed.ids[3], 'DELIVERY_ACK');
  await p.waitForFunction(
    () => document.querySelector('[data-testid=count-delivered]')?.textContent.trim() === '3',
    null,
    { timeout: 2000 },
  );
  const elapsed = Date.now() - started;
  assert.equal(await p.evaluate(() => window.__noReload), true, 'the page did not reload');
  assert.equal(await text(p, 'rate-delivery'), '50.0%');
  // Filters and search navigate in the page (no reload) and keep the live numbers.
  await p.fill('[data-testid=recipient-search]', 'maria');
  await p.press('[data-testid=recipient-search]', 'Enter');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid=recipients] tbody tr').length === 1);
  assert.equal(await p.evaluate(() => window.__noReload), true, 'searching did not reload');
  const exported = await p.request.get(`${flow.base}${await p.getAttribute('[data-testid=export-recipients]', 'href')}`);
  assert.equal(exported.status(), 200);
  assert.equal((await exported.text()).trim().split('\n').length, 2, 'header and Maria');
  console.log(`webhook to screen: ${elapsed} ms`);
  await p.context().close();
});

test('an admin pauses the campaign from the page', async () => {
  const p = await page();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  await p.waitForSelector('[data-testid=live] >> text=Live');
  await p.click('[data-testid=action-pause]');
  await p.waitForSelector('[data-testid=campaign-status] >> text=paused', { timeout: 2000 });
  await p.waitForSelector('[data-testid=pause-notice]');
  await p.waitForSelector('[data-testid=action-resume]');
  const c = await flow.api('GET', `/api/v1/campaigns/${seed.campaign.id}`, seed.acme.api_token);
  assert.equal(c.status, 'paused');
  assert.equal(c.pause_reason, 'manual');
  await shot(p, '04-campaign-paused');
  await p.context().close();
});

test('a disconnect pauses the campaign and the page says so, live', async () => {
  const p = await page();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  await p.waitForSelector('[data-testid=live] >> text=Live');
  await p.click('[data-testid=action-resume]');
  await p.waitForSelector('[data-testid=campaign-status] >> text=active', { timeout: 2000 });
  await flow.webhook(seed.instance.webhook_url, {
    event: 'connection.update',
    instance: INSTANCE,
    data: { instance: INSTANCE, state: 'close', statusReason: 428 },
  });
  const notice = await p.waitForSelector('[data-testid=pause-notice]', { timeout: 2000 });
  assert.match(await notice.textContent(), /Paused because instance Loja Centro disconnected/);
  await p.waitForSelector('[data-testid=log] li[data-severity=critical]', { timeout: 2000 });
  assert.equal(await p.locator('[data-testid=action-pause]').count(), 0);
  await shot(p, '04b-campaign-disconnected');
  await p.context().close();
});

test('a viewer sees no buttons and a forged pause is refused', async () => {
  const p = await page();
  await login(p, flow.base, 'viewer@acme.test', PASSWORD);
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  await p.waitForSelector('[data-testid=count-sent]');
  assert.equal(await p.locator('[data-testid^=action-]').count(), 0);
  const forged = await p.request.post(`${flow.base}/api/ui/campaign_action`, {
    form: { id: String(seed.campaign.id), action: 'resume' },
  });
  assert.equal(forged.status(), 403);
  const rest = await p.request.post(`${flow.base}/api/v1/campaigns/${seed.campaign.id}/resume`);
  assert.equal(rest.status(), 403);
  const c = await flow.api('GET', `/api/v1/campaigns/${seed.campaign.id}`, seed.acme.api_token);
  assert.equal(c.status, 'paused', 'still paused');
  await shot(p, '05-campaign-viewer');
  await p.context().close();
});

test('an admin creates a draft campaign with a live preview', async () => {
  const p = await page();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.click('[data-testid=new-campaign-link]');
  await p.waitForSelector('[data-testid=new-campaign]');
  await hydrated(p); // the preview is live only once the page has hydrated
  await p.fill('[data-testid=campaign-name-input]', 'Natal 2026');
  await p.fill('[data-testid=campaign-message-input]', 'Feliz Natal, {{first_name}}! Use o cupom NATAL10.');
  await p.waitForFunction(() => document.querySelector('[data-testid=preview]')?.textContent.includes('Feliz Natal, Maria!'));
  await p.check('[data-testid=audience-pasted]');
  await p.fill('[data-testid=pasted-contacts]', 'Rita Lopes, +55 11 98200-0001\n+55 11 98200-0002');
  await shot(p, '10-new-campaign');
  await p.click('[data-testid=create-campaign]');
  await p.waitForURL(/\/campaigns\/\d+$/);
  await p.waitForSelector('[data-testid=campaign-name] >> text=Natal 2026');
  assert.equal(await text(p, 'count-pending'), '2');
  assert.match(await text(p, 'campaign-status'), /draft/);
  await p.context().close();
});

test('what is typed before the page hydrates is kept, and the live parts see it', async () => {
  // A phone on a slow network: the form is there (server-rendered) seconds before the
  // WebAssembly. Hold the wasm back, type, then let it in.
  const p = await page();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await p.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await p.goto(`${flow.base}/campaigns/new`);
  await p.fill('[data-testid=campaign-name-input]', 'Ano Novo 2027');
  await p.fill('[data-testid=campaign-message-input]', 'Feliz Ano Novo, {{first_name}}!');
  assert.equal(await p.$('html[data-hydrated]'), null, 'typed before hydration');
  release();
  await hydrated(p);
  assert.equal(await p.inputValue('[data-testid=campaign-name-input]'), 'Ano Novo 2027');
  assert.equal(await p.inputValue('[data-testid=campaign-message-input]'), 'Feliz Ano Novo, {{first_name}}!');
  // The preview is bound to the message: it shows what was typed, not the empty default.
  await p.waitForFunction(() => document.querySelector('[data-testid=preview]')?.textContent.includes('Feliz Ano Novo, Maria!'));
  await p.context().close();
});

test("another tenant's user cannot open the campaign", async () => {
  const p = await page();
  await login(p, flow.base, 'bob@rival.test', PASSWORD);
  const res = await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  assert.equal(res.status(), 404);
  const body = await p.textContent('main');
  assert.match(body, /Campaign not found/);
  assert.doesNotMatch(body, /Black Friday/);
  await shot(p, '06-other-tenant');
  await p.context().close();
});

test('pages render without JavaScript', async () => {
  const p = await page({ javaScriptEnabled: false });
  // Log in with the plain form post (no JavaScript): the server redirects to the campaigns.
  await p.goto(`${flow.base}/login`);
  await p.fill('input[name=email]', 'admin@acme.test');
  await p.fill('input[name=password]', PASSWORD);
  await Promise.all([p.waitForURL(`${flow.base}/`), p.click('button[type=submit]')]);
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  assert.equal(await text(p, 'count-sent'), '6');
  assert.equal(await text(p, 'count-delivered'), '3');
  assert.equal(await p.locator('[data-testid=recipients] tbody tr').count(), CONTACTS);
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}?status=failed`);
  assert.equal(await p.locator('[data-testid=recipients] tbody tr').count(), 1);
  // The search is a plain GET form: it works without JavaScript too.
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  await p.fill('[data-testid=recipient-search]', 'carla');
  await Promise.all([p.waitForURL(/q=carla/), p.press('[data-testid=recipient-search]', 'Enter')]);
  assert.equal(await p.locator('[data-testid=recipients] tbody tr').count(), 1);
  assert.match(await text(p, 'recipients'), /Carla Dias/);
  await shot(p, '07-campaign-no-js');
  await p.goto(`${flow.base}/instances`);
  assert.match(await text(p, 'webhook-url'), /\/api\/webhooks\/evolution\/i\//);
  await shot(p, '08-instances');
  await p.goto(`${flow.base}/opt-outs`);
  const optOuts = await text(p, 'opt-outs');
  assert.match(optOuts, /\+55 \(11\) 98100-0005/);
  assert.match(optOuts, /SAIR|Sair/);
  // English column names (pt-BR, the default, is checked in server/tests/dashboard.rs).
  const csv = await p.request.get(`${flow.base}${await p.getAttribute('[data-testid=export-opt-outs]', 'href')}`, {
    headers: { 'accept-language': 'en' },
  });
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^opted_out_at,phone,name,keyword,message,campaign\n.*5511981000005,Lucas Rocha,SAIR,Sair/s);
  await shot(p, '09-opt-outs');
  await p.context().close();
});
