// Numbers as Brazilians write them, in Chromium and in pt-BR (issue 21): a spreadsheet in
// national formats is uploaded and its report names each wrong number's reason in Portuguese;
// the contacts page filters landlines and marks them, and finds a person typed in another
// spelling; the team's default country is read and refused on /settings. With JavaScript and
// without; axe-core clean. Screenshots go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, seriousViolations, shot, signedIn } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';

let flow;
let browser;
let shop;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  shop = await flow.tenant('Papelaria Ipê');
  flow.user(shop.id, 'admin@ipe.test', PASSWORD, 'admin');
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

function page(options = {}) {
  return signedIn(browser, flow.base, 'admin@ipe.test', PASSWORD, options);
}

async function axe(p) {
  assert.deepEqual(await seriousViolations(p), [], `axe on ${p.url()}`);
}

// A shop's spreadsheet: Windows-1252, semicolons, numbers the national way.
const SHEET = [
  'nome;telefone',
  'Márcia Lopes;(11) 98300-0001',
  'Otávio Reis;011 98300-0002',
  'Gustavo Paz;0xx11 98300-0003',
  'Irene Dias;11 8300-0004',
  'Papelaria Matriz;(11) 3265-4400',
  'DDD errado;(20) 98300-0005',
  'Sem DDD;98300-0006',
].join('\r\n');

test('a pt-BR spreadsheet is read the Brazilian way and its report says why in Portuguese', async () => {
  const p = await page();
  await p.goto(`${flow.base}/contacts`);
  await hydrated(p);
  await p.setInputFiles('[data-testid=upload-contacts] input[name=file]', {
    name: 'clientes.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(SHEET, 'latin1'),
  });
  await p.click('[data-testid=upload-contacts] button[type=submit]');
  await p.waitForURL(/\/contacts\/imports\/\d+$/);
  await p.waitForSelector('[data-testid=import-job][data-status=done]', { timeout: 30000 });
  const report = await p.textContent('[data-testid=import-report]');
  assert.match(report, /Criados\s*5/);
  assert.match(report, /Linhas inválidas\s*2/);
  const main = await p.textContent('main');
  assert.match(main, /\(20\) 98300-0005\s*não é um número válido do país \(confira o DDD\)/);
  assert.match(main, /98300-0006\s*tem dígitos de menos para um número do país \(faltou o DDD\?\)/);
  await axe(p);
  await shot(p, 'numbers-pt-BR-import-report');

  // Stored as E.164 and found in any spelling; the landline is marked and filtered.
  await p.goto(`${flow.base}/contacts?q=${encodeURIComponent('0 15 11 98300-0002')}`);
  await hydrated(p);
  const found = await p.textContent('[data-testid=contacts]');
  assert.match(found, /Otávio Reis/);
  assert.match(found, /\+55 \(11\) 98300-0002/);
  await p.goto(`${flow.base}/contacts`);
  await hydrated(p);
  await p.selectOption('[data-testid=line-filter]', 'landline');
  await Promise.all([p.waitForURL(/line_type=landline/), p.click('[data-testid=contact-search] button[type=submit]')]);
  await p.waitForFunction(() => document.querySelectorAll('[data-testid=contact-row]').length === 1);
  const rows = await p.textContent('[data-testid=contacts]');
  assert.match(rows, /Papelaria Matriz/);
  assert.match(rows, /\+55 \(11\) 3265-4400\s*Fixo/);
  await axe(p);
  await shot(p, 'numbers-pt-BR-landlines');
  await p.context().close();
});

test('the line filter and the default country work without JavaScript', async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(`${flow.base}/contacts`);
  await p.selectOption('[data-testid=line-filter]', 'mobile');
  await Promise.all([p.waitForURL(/line_type=mobile/), p.click('[data-testid=contact-search] button[type=submit]')]);
  assert.equal(await p.locator('[data-testid=contact-row]').count(), 4);
  assert.doesNotMatch(await p.textContent('[data-testid=contacts]'), /Papelaria Matriz/);

  await p.goto(`${flow.base}/settings`);
  assert.equal(await p.inputValue('[data-testid=default-country]'), 'BR');
  // A code that is no country is refused in Portuguese, and nothing changes.
  await p.fill('[data-testid=default-country]', 'XX');
  await Promise.all([p.waitForNavigation(), p.click('[data-testid=settings-form] button[type=submit]')]);
  assert.match(await p.textContent('main'), /“XX” não é um código de país de duas letras, como BR\./);
  await shot(p, 'numbers-pt-BR-settings-country-refused-no-js');
  await p.goto(`${flow.base}/settings`);
  await p.fill('[data-testid=default-country]', 'pt');
  await Promise.all([p.waitForNavigation(), p.click('[data-testid=settings-form] button[type=submit]')]);
  await p.goto(`${flow.base}/settings`);
  assert.equal(await p.inputValue('[data-testid=default-country]'), 'PT');
  const settings = await flow.api('GET', '/api/v1/settings', shop.api_token);
  assert.equal(settings.default_country, 'PT');
  // A Portuguese team's national number now reads as Portuguese.
  const res = await flow.api('POST', '/api/v1/contacts', shop.api_token, [{ name: 'Rui', phone: '912 345 678' }]);
  assert.equal(res.created, 1);
  const [rui] = await flow.api('GET', '/api/v1/contacts?q=Rui', shop.api_token);
  assert.equal(rui.phone, '351912345678');
  await flow.api('PUT', '/api/v1/settings', shop.api_token, { ...settings, default_country: 'BR' });
  await p.context().close();
});
