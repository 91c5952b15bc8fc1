// Safe sending in a real browser (pt-BR): the new-campaign form previews spintax renderings of
// each variant and warns when they are too alike; the campaign page shows the A/B table; admins
// edit the warm-up plan and opt-out limit and a campaign over two numbers shows its spread; the
// banned-number sentence appears live on the instances and campaign pages; axe-core finds no
// serious violation and nothing scrolls sideways at 390 px. Screenshots go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, login, newContext, seriousViolations, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';
const INSTANCE = 'loja-centro';

let flow;
let browser;
let seed;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  const acme = await flow.tenant('Acme Móveis');
  flow.user(acme.id, 'admin@acme.test', PASSWORD, 'admin');
  const instance = await flow.api('POST', '/api/v1/instances', acme.api_token, {
    instance_name: INSTANCE,
    friendly_name: 'Loja Centro',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key',
    api_version: 'v2',
    warmup: true,
  });
  await flow.webhook(instance.webhook_url, {
    event: 'connection.update',
    instance: INSTANCE,
    data: { instance: INSTANCE, state: 'open', statusReason: 200 },
  });
  await flow.api('POST', '/api/v1/contacts', acme.api_token, Array.from({ length: 8 }, (_, i) => ({
    name: `Pessoa ${i}`,
    phone: `+55 11 9${String(82000000 + i).padStart(8, '0')}`,
  })));
  const campaign = await flow.api('POST', '/api/v1/campaigns', acme.api_token, {
    name: 'Teste A/B',
    message: '{Olá|Oi} {{first_name}}, chegou a coleção de verão!',
    variants: ['{{first_name}}, responda QUERO para ver as ofertas da semana.'],
    instance_ids: [instance.id],
    all_contacts: true,
  });
  await flow.api('POST', `/api/v1/campaigns/${campaign.id}/start`, acme.api_token);
  // The sender is off: mark every message accepted by Evolution, as the sender would.
  flow.sql(
    `UPDATE campaign_contact SET whatsapp_message_id = 'E2E-' || id, status = 'sent', sent_at = updated_at WHERE campaign_id = ${campaign.id};` +
    `UPDATE campaign SET sent = total, pending = 0 WHERE id = ${campaign.id};`,
  );
  const ids = flow.sql(`SELECT whatsapp_message_id FROM campaign_contact WHERE campaign_id = ${campaign.id} ORDER BY id`).split('\n');
  await flow.receipt(instance.webhook_url, INSTANCE, ids[0], 'READ');
  await flow.receipt(instance.webhook_url, INSTANCE, ids[1], 'DELIVERY_ACK');
  seed = { acme, instance, campaign };
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

async function session(options = {}) {
  const context = await newContext(browser, {
    viewport: { width: 1440, height: 900 },
    locale: 'pt-BR',
    extraHTTPHeaders: { 'accept-language': 'pt-BR' },
    ...options,
  });
  const p = await context.newPage();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  return p;
}

test('the new-campaign form previews each variant and warns when they are too alike', async () => {
  const p = await session();
  await p.goto(`${flow.base}/campaigns/new`);
  await hydrated(p);
  await p.waitForSelector('[data-testid=new-campaign]');
  await p.fill('[data-testid=campaign-message-input]', '{Olá|Oi|E aí} {{first_name}}, {temos novidades|chegou coleção nova}!');
  await p.fill('[data-testid=campaign-variants-input]', 'Bom dia {{first_name}}! Responda QUERO para ver as ofertas.');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid=preview-rendering]').length === 4);
  const texts = await p.locator('[data-testid=preview-rendering]').allTextContents();
  assert.equal(new Set(texts).size, 4, texts.join(' | '));
  assert.ok(texts.every((t) => t.includes('Maria') && !t.includes('{')), texts.join(' | '));
  assert.equal(await p.locator('[data-testid=too-similar]').count(), 0);
  // The time window of a new campaign is 08:00–20:00.
  assert.equal(await p.inputValue('[data-testid=window-start]'), '08:00');
  assert.equal(await p.inputValue('[data-testid=window-end]'), '20:00');
  await shot(p, 'safety-01-variants-preview');
  await p.fill('[data-testid=campaign-message-input]', 'Olá {{first_name}}, a loja tem novidades para você hoje');
  await p.fill('[data-testid=campaign-variants-input]', 'Olá {{first_name}}, a loja tem novidades para você hoje!');
  await p.waitForSelector('[data-testid=too-similar]');
  await shot(p, 'safety-02-too-similar');
  await p.context().close();
});

test('the campaign page shows the A/B table', async () => {
  const p = await session();
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  await p.waitForSelector('[data-testid=ab-results]');
  assert.equal(await p.locator('[data-testid=ab-results] tbody tr').count(), 2);
  const first = await p.textContent('[data-testid=variant-0]');
  assert.match(first, /Variação 1/);
  assert.match(await p.textContent('[data-testid=ab-verdict]'), /dados suficientes/);
  await shot(p, 'safety-03-ab-table');
  await p.context().close();
});

test('admins edit the warm-up plan and the opt-out limit; a campaign over two numbers shows its spread', async () => {
  const token = seed.acme.api_token;
  const other = await flow.api('POST', '/api/v1/instances', token, {
    instance_name: 'loja-shopping',
    friendly_name: 'Loja Shopping',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key-2',
    api_version: 'v2',
  });
  await flow.webhook(other.webhook_url, {
    event: 'connection.update',
    instance: 'loja-shopping',
    data: { instance: 'loja-shopping', state: 'open', statusReason: 200 },
  });
  const both = await flow.api('POST', '/api/v1/campaigns', token, {
    name: 'Dois números',
    message: 'Oi {{first_name}}, novidades na loja!',
    instance_ids: [seed.instance.id, other.id],
    all_contacts: true,
  });
  const p = await session();
  await p.goto(`${flow.base}/settings`);
  await hydrated(p);
  await p.fill('[data-testid=warmup-plan]', '0:5, 3:30');
  await p.fill('[data-testid=optout-pause-percent]', '5');
  await p.click('[data-testid=settings-form] button[type=submit]');
  await p.waitForSelector('[data-testid=settings-saved]');
  await p.reload();
  assert.equal(await p.inputValue('[data-testid=warmup-plan]'), '0:5, 3:30');
  assert.equal(await p.inputValue('[data-testid=optout-pause-percent]'), '5');
  await shot(p, 'safety-04-settings-warmup');
  await p.goto(`${flow.base}/instances`);
  assert.match(await p.textContent('[data-testid=instance-warmup]'), /dia 0 do aquecimento: 5\/dia/);
  // 8 recipients: the warming-up number can take 5 today, the other all 8 → 5/13 and 8/13.
  await p.goto(`${flow.base}/campaigns/${both.id}`);
  const table = await p.waitForSelector('[data-testid=rotation]');
  assert.match(await table.textContent(), /Distribuição entre os números/);
  assert.match(await p.textContent(`[data-testid=rotation-${seed.instance.id}]`), /Loja Centro\s*38,5%\s*5\s*ok/);
  assert.match(await p.textContent(`[data-testid=rotation-${other.id}]`), /Loja Shopping\s*61,5%\s*sem limite\s*ok/);
  await shot(p, 'safety-05-rotation');
  await p.context().close();
  const settings = await flow.api('GET', '/api/v1/settings', token);
  await flow.api('PUT', '/api/v1/settings', token, {
    ...settings,
    warmup_plan: [{ day: 0, cap: 20 }, { day: 4, cap: 50 }, { day: 8, cap: 100 }, { day: 15, cap: 200 }, { day: 31, cap: 400 }],
  });
});

test('a warming-up number says so, and a ban shows its sentence live', async () => {
  const p = await session();
  await p.goto(`${flow.base}/instances`);
  assert.match(await p.textContent('[data-testid=instance-warmup]'), /dia 0 do aquecimento: 20\/dia/);
  assert.match(await p.textContent('[data-testid=instance-risk]'), /Risco: ok/);
  assert.equal(await p.isChecked('[data-testid=add-warmup]'), true, 'new numbers warm up by default');
  await p.waitForTimeout(500); // the live stream connects
  await flow.webhook(seed.instance.webhook_url, {
    event: 'connection.update',
    instance: INSTANCE,
    data: { instance: INSTANCE, state: 'close', statusReason: 403 },
  });
  const ban = await p.waitForSelector('[data-testid=instance-ban]', { timeout: 3000 });
  assert.match(await ban.textContent(), /O número foi banido pelo WhatsApp; troque o número/);
  await shot(p, 'safety-06-instance-banned');
  await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
  const notice = await p.waitForSelector('[data-testid=pause-notice]');
  assert.match(await notice.textContent(), /O número foi banido pelo WhatsApp; troque o número/);
  await shot(p, 'safety-07-campaign-banned');
  await p.context().close();
});

const PAGES = () => ['/campaigns/new', `/campaigns/${seed.campaign.id}`, '/instances'];

test('axe-core finds no serious or critical violation on the safety pages', async () => {
  const p = await session();
  const found = {};
  for (const path of PAGES()) {
    await p.goto(`${flow.base}${path}`);
    await p.waitForLoadState('networkidle');
    const violations = await seriousViolations(p);
    if (violations.length) found[path] = violations;
  }
  assert.deepEqual(found, {});
  await p.context().close();
});

test('at 390×844 the safety pages do not scroll sideways', async () => {
  const p = await session({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const wide = {};
  for (const [i, path] of PAGES().entries()) {
    await p.goto(`${flow.base}${path}`);
    await p.waitForLoadState('networkidle');
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide[path] = width;
    await shot(p, `safety-phone-${i}`);
  }
  assert.deepEqual(wide, {}, 'pages wider than the phone');
  await p.context().close();
});
