// Instances from the browser (issue 9 item 3): an admin adds an instance against the
// simulated Evolution API (its version detected), points its webhook at Flow, and pairs it by
// QR code: the image and the pairing code are shown, then "Conectado" once the phone scans.
// Screenshots (pt-BR) go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, login, newContext, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';
import { Sim } from '../support/sim.mjs';

const PASSWORD = 'e2e-password-123';
const INSTANCE = 'quiosque-e2e';

let flow;
let sim;
let browser;

before(async () => {
  // QR codes every 5 × 400 ms while waiting; the instance starts logged out.
  sim = await Sim.start({ SIM_CLOSED_INSTANCES: INSTANCE, SIM_PACE_MS: '400' });
  flow = await Flow.start();
  browser = await launch();
  const acme = await flow.tenant('Acme Móveis');
  flow.user(acme.id, 'admin@acme.test', PASSWORD, 'admin');
});

after(async () => {
  await browser?.close();
  flow?.stop();
  sim?.stop();
});

test('an admin adds an instance and connects it by QR code', async () => {
  const context = await newContext(browser, {
    viewport: { width: 1440, height: 900 },
    locale: 'pt-BR',
    extraHTTPHeaders: { 'accept-language': 'pt-BR' },
  });
  const p = await context.newPage();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.goto(`${flow.base}/instances`);
  await hydrated(p);

  await p.fill('[data-testid=add-api-url]', sim.base);
  await p.fill('[data-testid=add-instance-name]', INSTANCE);
  await p.fill('[data-testid=add-friendly-name]', 'Quiosque do shopping');
  await p.fill('[data-testid=add-api-key]', sim.apiKey);
  await shot(p, 'instances-add-form');
  await p.click('[data-testid=add-submit]');
  const card = p.locator('section[data-testid^=instance-]', { hasText: 'Quiosque do shopping' });
  await card.waitFor();
  assert.match(await card.textContent(), /Evolution v2/, 'the version was detected');

  // Evolution must post to Flow before the phone can be paired.
  await card.locator('[data-testid=configure-webhook]').click();
  await card.locator('[data-testid=configure-result] >> text=Pronto').waitFor();

  await card.locator('[data-testid=connect-instance]').click();
  const qr = p.locator('[data-testid=qr-image]');
  await qr.waitFor();
  assert.match(await qr.getAttribute('src'), /^data:image\/png;base64,iVBOR/);
  assert.match(await qr.getAttribute('alt'), /QR code/);
  assert.equal(
    await qr.evaluate((img) => img.complete && img.naturalWidth > 100),
    true,
    'the QR image decodes',
  );
  assert.match((await p.textContent('[data-testid=pairing-code]')).trim(), /^[A-Z0-9]{8}$/);
  // The live stream is connected (the green dot).
  await p.waitForSelector('[data-testid=live] .bg-emerald-500');
  await shot(p, 'instances-qr');

  // A new QR arrives live (qrcode.updated), then the phone scans it.
  const first = await qr.getAttribute('src');
  await p.waitForFunction(
    (src) => document.querySelector('[data-testid=qr-image]')?.getAttribute('src') !== src,
    first,
    { timeout: 10_000 },
  );
  await sim.control(INSTANCE, 'connect');
  await p.waitForSelector('[data-testid=paired] >> text=Conectado', { timeout: 10_000 });
  assert.equal(await qr.count(), 0, 'the QR is gone');
  await shot(p, 'instances-connected');
  await context.close();
});

test('without JavaScript the connect link shows the QR code', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false, locale: 'pt-BR' });
  const p = await context.newPage();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await sim.control(INSTANCE, 'disconnect');
  const acme = flow.sql("SELECT id FROM whatsapp_instance WHERE instance_name = 'quiosque-e2e'");
  // The webhook moved it to `close`.
  for (let i = 0; i < 50; i++) {
    if (flow.sql(`SELECT connection_state FROM whatsapp_instance WHERE id = ${acme}`) === 'close') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await p.goto(`${flow.base}/instances`);
  await p.click('[data-testid=connect-instance]');
  const src = await p.getAttribute('[data-testid=qr-image]', 'src');
  assert.match(src, /^data:image\/png;base64,/);
  await context.close();
});

test('an admin replaces a leaked webhook URL, and Evolution follows it', async () => {
  const context = await newContext(browser, { locale: 'pt-BR', extraHTTPHeaders: { 'accept-language': 'pt-BR' } });
  const p = await context.newPage();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await p.goto(`${flow.base}/instances`);
  await hydrated(p);
  const card = p.locator('section[data-testid^=instance-]', { hasText: 'Quiosque do shopping' });
  const before = (await card.locator('[data-testid=webhook-url]').textContent()).trim();
  await card.locator('[data-testid=edit-instance]').click();
  await card.locator('[data-testid=rotate-webhook]').click();
  await card.locator('[data-testid=rotate-result] >> text=Nova URL').waitFor();
  await p.waitForFunction(
    (old) => {
      const shown = document.querySelector('[data-testid=webhook-url]')?.textContent.trim();
      return shown && shown !== old;
    },
    before,
    { timeout: 10_000 },
  );
  const shown = (await card.locator('[data-testid=webhook-url]').textContent()).trim();
  const id = flow.sql("SELECT id FROM whatsapp_instance WHERE instance_name = 'quiosque-e2e'");
  const secret = flow.sql(`SELECT webhook_secret FROM whatsapp_instance WHERE id = ${id}`);
  assert.ok(shown.endsWith(secret), 'the page shows the new URL');
  assert.ok(!before.endsWith(secret), 'the secret changed');
  await shot(p, 'instances-webhook-rotated');

  // Evolution was pointed at the new URL: the phone reconnecting reaches Flow.
  await sim.control(INSTANCE, 'connect');
  let state = '';
  for (let i = 0; i < 50 && state !== 'open'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = flow.sql(`SELECT connection_state FROM whatsapp_instance WHERE id = ${id}`);
  }
  assert.equal(state, 'open', 'the webhook at the new URL was taken');
  await context.close();

  // Without JavaScript the form does the same and comes back to the instance.
  const plain = await newContext(browser, { javaScriptEnabled: false, locale: 'pt-BR' });
  const q = await plain.newPage();
  await login(q, flow.base, 'admin@acme.test', PASSWORD);
  await q.goto(`${flow.base}/instances`);
  await q.click('[data-testid=edit-instance]');
  await q.click('[data-testid=rotate-webhook]');
  await q.waitForURL(`${flow.base}/instances#instance-${id}`);
  const again = flow.sql(`SELECT webhook_secret FROM whatsapp_instance WHERE id = ${id}`);
  assert.notEqual(again, secret, 'rotated again');
  assert.ok((await q.textContent('[data-testid=webhook-url]')).trim().endsWith(again));
  await plain.close();
});
