// The person's rights and the team's habits, in Chromium and in pt-BR (issue 27): phones are
// written for people (+55 (11) 98100-0001) in tables and on the contact page; the contact page
// exports the person's data (a readable page in Portuguese) and corrects them with a trail in
// the consent history, with JavaScript and without; every page shows counts, percentages and
// amounts the Brazilian way (1.234, 12,5%, R$ 1.234,56), never 1,234 or 12.5%. axe-core clean.
// Screenshots go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, seriousViolations, shot, signedIn } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';
const PEOPLE = 1234;

let flow;
let browser;
let seed;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  const shop = await flow.tenant('Ótica Central');
  flow.user(shop.id, 'admin@otica.test', PASSWORD, 'admin');
  const instance = await flow.api('POST', '/api/v1/instances', shop.api_token, {
    instance_name: 'otica-01',
    friendly_name: 'Ótica Centro',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key',
    api_version: 'v2',
  });
  await flow.api('POST', '/api/v1/contacts', shop.api_token, Array.from({ length: PEOPLE }, (_, i) => ({
    name: i === 0 ? 'Maria Souza' : `Cliente ${i}`,
    phone: `+55 11 9${String(81000001 + i).padStart(8, '0')}`,
  })));
  const [maria] = await flow.api('GET', '/api/v1/contacts?phone=11981000001', shop.api_token);
  const campaign = await flow.api('POST', '/api/v1/campaigns', shop.api_token, {
    name: 'Óculos de sol',
    message: 'Oi {{primeiro_nome}}, óculos com 30% de desconto!',
    instance_ids: [instance.id],
    all_contacts: true,
  });
  // A sale of R$ 1.234,56 from Maria, traced to nothing (the campaign never sent).
  await flow.api('POST', '/api/v1/conversions', shop.api_token, {
    phone: '11981000001', value: 1234.56, order_id: 'PED-1',
  });
  seed = { shop, instance, maria, campaign };
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

function page(options = {}) {
  return signedIn(browser, flow.base, 'admin@otica.test', PASSWORD, {
    locale: 'pt-BR',
    extraHTTPHeaders: { 'accept-language': 'pt-BR' },
    ...options,
  });
}

const MODES = [{ javaScriptEnabled: true }, { javaScriptEnabled: false }];

test('every page in pt-BR writes numbers the Brazilian way', async () => {
  const paths = [
    '/',
    `/campaigns/${seed.campaign.id}`,
    '/contacts',
    `/contacts/${seed.maria.id}`,
    '/opt-outs',
    '/instances',
    '/lists',
    '/insights',
    '/settings',
    `/campaigns/compare?ids=${seed.campaign.id}`,
  ];
  for (const options of MODES) {
    const p = await page(options);
    for (const path of paths) {
      await p.goto(`${flow.base}${path}`);
      if (options.javaScriptEnabled) await hydrated(p);
      const text = await p.evaluate(() => document.body.innerText);
      assert.doesNotMatch(text, /\b\d{1,3}(,\d{3})+\b/, `${path}: English thousands`);
      assert.doesNotMatch(text, /\d\.\d+ ?%/, `${path}: English percentage`);
      assert.doesNotMatch(text, /R\$ ?\d+\.\d{2}\b/, `${path}: English amount`);
    }
    await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
    assert.match(await p.textContent('body'), /1\.234/, 'the audience in pt-BR form');
    await p.context().close();
  }
});

test('phones are written for people, the API keeps E.164', async () => {
  for (const options of MODES) {
    const p = await page(options);
    await p.goto(`${flow.base}/contacts?q=Maria`);
    if (options.javaScriptEnabled) await hydrated(p);
    assert.match(await p.textContent('body'), /\+55 \(11\) 98100-0001/);
    await p.goto(`${flow.base}/contacts/${seed.maria.id}`);
    assert.match(await p.textContent('body'), /\+55 \(11\) 98100-0001/);
    await p.context().close();
  }
  const api = await flow.api('GET', `/api/v1/contacts/${seed.maria.id}`, seed.shop.api_token);
  assert.equal(api.phone, '5511981000001');
});

test('the contact page exports the person\'s data, with and without JavaScript', async () => {
  for (const options of MODES) {
    const p = await page(options);
    await p.goto(`${flow.base}/contacts/${seed.maria.id}`);
    if (options.javaScriptEnabled) {
      await hydrated(p);
      assert.deepEqual(await seriousViolations(p), [], 'axe on the contact page');
    }
    await shot(p, `contact-rights${options.javaScriptEnabled ? '' : '-nojs'}`);
    await Promise.all([
      p.waitForURL(/\/data-export\?format=html$/),
      p.click('[data-testid=data-export]'),
    ]);
    assert.equal(await p.getAttribute('html', 'lang'), 'pt-BR');
    assert.match(await p.textContent('h1'), /Dados do titular/);
    assert.equal((await p.textContent('[data-testid=export-phone]')).trim(), '+55 (11) 98100-0001');
    assert.match(await p.textContent('[data-testid=export-conversions]'), /PED-1 — R\$ 1\.234,56/);
    assert.match(await p.textContent('[data-testid=export-consent]'), /Exportação de dados/);
    if (options.javaScriptEnabled) assert.deepEqual(await seriousViolations(p), [], 'axe on the export');
    await shot(p, `data-export${options.javaScriptEnabled ? '' : '-nojs'}`);
    await p.context().close();
  }
  // The JSON file, with the session.
  const p = await page();
  await p.goto(`${flow.base}/contacts/${seed.maria.id}`);
  const href = await p.getAttribute('[data-testid=data-export-json]', 'href');
  const response = await p.request.get(`${flow.base}${href}`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-disposition'], /attachment/);
  const json = await response.json();
  assert.equal(json.contact.phone, '5511981000001');
  assert.equal(json.phone_display, '+55 (11) 98100-0001');
  await p.reload();
  const history = await p.textContent('[data-testid=consent-history]');
  assert.equal(history.match(/Exportação de dados/g).length, 3);
  await p.context().close();
});

test('a correction is written to the history, old to new, with and without JavaScript', async () => {
  const names = ['Maria Souza Lima', 'Maria S. Lima'];
  let before = 'Maria Souza';
  for (const [i, options] of MODES.entries()) {
    const p = await page(options);
    await p.goto(`${flow.base}/contacts/${seed.maria.id}`);
    if (options.javaScriptEnabled) await hydrated(p);
    await p.fill('[data-testid=correct-form] input[name=name]', names[i]);
    await p.click('[data-testid=correct-form] button[type=submit]');
    await p.waitForFunction(
      (name) => document.querySelector('[data-testid=contact-name]')?.textContent.includes(name),
      names[i],
    );
    const history = await p.textContent('[data-testid=consent-history]');
    assert.ok(history.includes(`Correção Nome: ${before} → ${names[i]}`), history);
    assert.match(history, /admin@otica\.test/);
    before = names[i];
    await shot(p, `contact-corrected${options.javaScriptEnabled ? '' : '-nojs'}`);
    await p.context().close();
  }
});
