// Messages people actually send, in Chromium and in pt-BR (issue 24): a photo uploaded on the
// new-campaign page and previewed as a WhatsApp bubble with WhatsApp's formatting; a refused
// upload explained; a poll drafted with its preview; a test send from a draft's page; a poll's
// results on the campaign page. With JavaScript and without; axe-core clean. Screenshots go to
// end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, seriousViolations, shot, signedIn } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';
import { Sim } from '../support/sim.mjs';

const PASSWORD = 'e2e-password-123';
const INSTANCE = 'bazar-01';
// A real 2 × 2 PNG (the preview shows it).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

let flow;
let sim;
let browser;
let shop;
let instance;
let contacts;

before(async () => {
  sim = await Sim.start({ SIM_PACE_MS: '50' });
  flow = await Flow.start();
  browser = await launch();
  shop = await flow.tenant('Bazar da Vila');
  flow.user(shop.id, 'admin@bazar.test', PASSWORD, 'admin');
  instance = await flow.api('POST', '/api/v1/instances', shop.api_token, {
    instance_name: INSTANCE,
    api_url: sim.base,
    api_key: sim.apiKey,
    api_version: 'v2',
  });
  await flow.api('POST', `/api/v1/instances/${instance.id}/refresh`, shop.api_token, {});
  await flow.api('POST', '/api/v1/contacts', shop.api_token, Array.from({ length: 6 }, (_, i) => ({
    name: `Cliente ${i + 1}`,
    phone: `+55 11 9${String(83000001 + i).padStart(8, '0')}`,
  })));
  contacts = (await flow.api('GET', '/api/v1/contacts', shop.api_token)).map((c) => c.id);
});

after(async () => {
  await browser?.close();
  flow?.stop();
  sim?.stop();
});

function page(options = {}) {
  return signedIn(browser, flow.base, 'admin@bazar.test', PASSWORD, options);
}

async function axe(p) {
  assert.deepEqual(await seriousViolations(p), [], `axe on ${p.url()}`);
}

async function upload(p, name, buffer, mimeType) {
  await p.setInputFiles('[data-testid=media-file]', { name, mimeType, buffer });
  await Promise.all([p.waitForURL(/\/campaigns\/new\?media_/), p.click('[data-testid=media-upload]')]);
}

test('a photo is uploaded and previewed as a WhatsApp bubble with its formatting', async () => {
  const p = await page();
  await p.goto(`${flow.base}/campaigns/new`);
  await upload(p, 'oferta.png', PNG, 'image/png');
  await hydrated(p);
  assert.match(await p.textContent('[data-testid=media-attached]'), /Anexado: oferta\.png \(foto, 1 KB\)/);
  await p.fill('[data-testid=campaign-message-input]', 'Oi *{{first_name}}*, _oferta_ ~velha~ ```CUPOM10```');
  const bubble = p.locator('[data-testid=whatsapp-bubble]').first();
  await bubble.locator('strong', { hasText: 'Maria' }).waitFor();
  assert.equal(await bubble.locator('em').textContent(), 'oferta');
  assert.equal(await bubble.locator('s').textContent(), 'velha');
  assert.equal(await bubble.locator('code').textContent(), 'CUPOM10');
  const src = await bubble.locator('[data-testid=bubble-image]').getAttribute('src');
  const image = await p.request.get(`${flow.base}${src}`);
  assert.equal(image.status(), 200);
  assert.deepEqual(Buffer.from(await image.body()), PNG);
  await axe(p);
  await shot(p, 'new-campaign-photo-bubble');
  await p.context().close();
});

test('without JavaScript the upload works and a renamed program is refused in Portuguese', async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(`${flow.base}/campaigns/new`);
  await upload(p, 'catalogo.pdf', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), 'application/pdf');
  assert.match(await p.textContent('[data-testid=media-attached]'), /catalogo\.pdf \(documento/);
  // The server rendered the bubble: the document's name, and the greeting formatted.
  assert.match(await p.textContent('[data-testid=bubble-document]'), /catalogo\.pdf/);
  await upload(p, 'foto.jpg', Buffer.from('MZ\x90\x00\x03 this program cannot be run in DOS mode'), 'image/jpeg');
  assert.match(await p.textContent('[role=alert]'), /não é uma foto/);
  await shot(p, 'new-campaign-upload-refused-nojs');
  await p.context().close();
});

test('a poll is drafted with a live preview of its options', async () => {
  const p = await page();
  await p.goto(`${flow.base}/campaigns/new`);
  await hydrated(p);
  await p.fill('[data-testid=campaign-name-input]', 'Enquete do horário');
  await p.check('[data-testid=poll-toggle]');
  await p.fill('[data-testid=poll-question]', 'Oi {{first_name}}, qual horário você prefere?');
  await p.fill('[data-testid=poll-options]', 'Manhã\nTarde\nNoite');
  const bubble = p.locator('[data-testid=whatsapp-bubble]');
  await bubble.locator('[data-testid=bubble-poll] li', { hasText: 'Noite' }).waitFor();
  assert.match(await bubble.textContent(), /Oi Maria, qual horário você prefere\?/);
  await axe(p);
  await shot(p, 'new-campaign-poll');
  await Promise.all([p.waitForURL(/\/campaigns\/\d+$/), p.click('[data-testid=create-campaign]')]);
  await p.locator('[data-testid=message-preview] [data-testid=bubble-poll]').waitFor();
  await p.context().close();
});

test('a test send from a draft reaches one number and is not counted', async () => {
  const draft = await flow.api('POST', '/api/v1/campaigns', shop.api_token, {
    name: 'Teste de envio',
    message: 'Oi {{first_name}}, chegou *novidade*!',
    variants: ['Olá {{name}}, veja a novidade!'],
    instance_ids: [instance.id],
    contact_ids: contacts,
  });
  const p = await page();
  await p.goto(`${flow.base}/campaigns/${draft.id}`);
  await hydrated(p);
  await p.fill('[data-testid=test-phone]', '(11) 97777-6666');
  await p.click('[data-testid=test-send]');
  const result = p.locator('[data-testid=test-result]');
  await result.waitFor();
  assert.match(await result.textContent(), /Teste enviado para \+55 \(11\) 97777-6666: 2 de 2 variações aceitas/);
  const view = await flow.api('GET', `/api/v1/campaigns/${draft.id}`, shop.api_token);
  assert.equal(view.status, 'draft');
  assert.equal(view.counts.sent, 0);
  await axe(p);
  await shot(p, 'campaign-test-send');
  await p.context().close();

  // Without JavaScript the form posts and comes back; the log says it was sent.
  const q = await page({ javaScriptEnabled: false });
  await q.goto(`${flow.base}/campaigns/${draft.id}`);
  await q.fill('[data-testid=test-phone]', '11 97777-5555');
  await Promise.all([q.waitForLoadState('load'), q.click('[data-testid=test-send]')]);
  await q.goto(`${flow.base}/campaigns/${draft.id}`);
  assert.match(await q.textContent('body'), /Teste enviado para \+55 \(11\) 97777-5555/);
  await q.context().close();
});

test('the campaign page shows a poll\'s votes, each person\'s latest vote once', async () => {
  const poll = await flow.api('POST', '/api/v1/campaigns', shop.api_token, {
    name: 'Catálogo de verão',
    message: '',
    poll: { question: 'Quer o catálogo?', options: ['Quero o catálogo', 'Agora não'] },
    instance_ids: [instance.id],
    contact_ids: contacts,
  });
  flow.sql(
    `UPDATE campaign_contact SET status = 'read', whatsapp_message_id = 'POLL-' || id, sent_at = '2026-12-01T12:00:00+00:00' WHERE campaign_id = ${poll.id};` +
    `UPDATE campaign SET status = 'completed', sent = total, delivered = total, read = total, pending = 0 WHERE id = ${poll.id};`,
  );
  const ids = flow.sql(`SELECT whatsapp_message_id || ',' || (SELECT phone FROM contact WHERE contact.id = contact_id) FROM campaign_contact WHERE campaign_id = ${poll.id} ORDER BY id`)
    .split('\n').map((l) => l.split(','));
  const vote = (pollId, phone, options, n) => flow.webhook(instance.webhook_url, {
    event: 'messages.upsert',
    instance: INSTANCE,
    data: {
      key: { remoteJid: `${phone}@s.whatsapp.net`, fromMe: false, id: `VOTE-${pollId}-${n}` },
      message: { pollUpdateMessage: { pollCreationMessageKey: { id: pollId, fromMe: true }, vote: { selectedOptions: options } } },
      messageType: 'pollUpdateMessage',
      messageTimestamp: 1765000000 + n,
    },
  });
  await vote(ids[0][0], ids[0][1], ['Quero o catálogo'], 1);
  await vote(ids[1][0], ids[1][1], ['Agora não'], 2);
  // The third changes their mind: counted once, for the catalogue.
  await vote(ids[2][0], ids[2][1], ['Agora não'], 3);
  await vote(ids[2][0], ids[2][1], ['Quero o catálogo'], 4);
  for (const options of [{ javaScriptEnabled: true }, { javaScriptEnabled: false }]) {
    const p = await page(options);
    await p.goto(`${flow.base}/campaigns/${poll.id}`);
    const votes = await p.locator('[data-testid=poll-votes]').allTextContents();
    assert.match(votes[0], /2 votos · 66,7%/);
    assert.match(votes[1], /1 voto · 33,3%/);
    assert.match(await p.textContent('[data-testid=poll-voters]'), /3 pessoas votaram/);
    // axe runs as a script: only where JavaScript does.
    if (options.javaScriptEnabled) await axe(p);
    await shot(p, `campaign-poll-results${options.javaScriptEnabled ? '' : '-nojs'}`);
    await p.context().close();
  }
});
