// Portuguese first, on a phone, for everyone: every page in pt-BR and en, no English left on a
// pt-BR page, the language switch (with and without JavaScript) persists, no serious or
// critical axe-core violation, and no sideways scroll at 390×844. Screenshots (pt-BR) go to
// end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launch, login, newContext, seriousViolations, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';
const INSTANCE = 'loja-centro';

// Words that are the same in both languages or come from the data, never UI words to translate.
const ALLOWED = new Set([
  'alrea', 'flow', 'whatsapp', 'evolution', 'csv', 'lgpd', 'api', 'url', 'webhook', 'status',
  'webhooks', 'e-mail', 'email', 'info', 'menu', 'english', 'português', 'brasil', 'admin', 's',
  // Portuguese imperatives spelled like English words
  'use', 'configure',
  // Evolution's own words: its API versions and the name of its key
  'v1', 'v2', 'apikey',
  // words Portuguese shares or borrows: "token", the article "a"; formats and URL placeholders
  'token', 'tokens', 'a', 'as', 'hh', 'mm', 'ms', 'https', 'com',
  // the spreadsheet program marketers export contacts from
  'excel',
  // file formats and sizes the upload takes (issue 24), and the office suite's name
  'jpeg', 'png', 'webp', 'mp4', 'ogg', 'mp3', 'm4a', 'pdf', 'mb', 'kb', 'office',
  // an instance's risk level, "ok" in Portuguese too (ok / atenção / alto)
  'ok',
  // units of time (s, min, h, d) and "online", which Portuguese borrows
  'min', 'h', 'd', 'online',
  // "link", which Portuguese borrows too (tracked links, issue 25)
  'link', 'links',
  // Portuguese "no" (in the), as in "no fuso da equipe"
  'no',
  // ISO country codes, the examples of the team's default country
  'br', 'pt', 'us',
  // a token named by the admin test
  'default',
  // data of this test
  'acme', 'móveis', 'black', 'friday', '2026', 'loja', 'centro', 'maria', 'silva', 'joão',
  'souza', 'ana', 'lima', 'contact', 'sair', 'loja-centro', 'admin@acme.test', 'viewer@acme.test',
  // the campaign's own message, shown as a WhatsApp bubble
  'olá',
]);

let flow;
let browser;
let seed;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  const acme = await flow.tenant('Acme Móveis');
  flow.user(acme.id, 'admin@acme.test', PASSWORD, 'admin');
  flow.user(acme.id, 'viewer@acme.test', PASSWORD, 'viewer');
  const instance = await flow.api('POST', '/api/v1/instances', acme.api_token, {
    instance_name: INSTANCE,
    friendly_name: 'Loja Centro',
    api_url: 'http://127.0.0.1:9',
    api_key: 'e2e-evolution-key',
    // Nothing answers there to tell the version.
    api_version: 'v2',
  });
  const names = ['Maria Silva', 'João Souza', 'Ana Lima'];
  await flow.api('POST', '/api/v1/contacts', acme.api_token, names.map((name, i) => ({
    name,
    phone: `+55 11 9${String(82000000 + i).padStart(8, '0')}`,
  })));
  const campaign = await flow.api('POST', '/api/v1/campaigns', acme.api_token, {
    name: 'Black Friday 2026',
    message: 'Olá {{first_name}}!',
    instance_ids: [instance.id],
    all_contacts: true,
  });
  await flow.api('POST', `/api/v1/campaigns/${campaign.id}/start`, acme.api_token);
  flow.sql(
    `UPDATE campaign_contact SET whatsapp_message_id = 'I18N-' || id, status = 'sent', sent_at = updated_at WHERE campaign_id = ${campaign.id};` +
    `UPDATE campaign SET sent = total, pending = 0 WHERE id = ${campaign.id};`,
  );
  const ids = flow.sql(`SELECT whatsapp_message_id FROM campaign_contact WHERE campaign_id = ${campaign.id} ORDER BY id`).split('\n');
  await flow.receipt(instance.webhook_url, INSTANCE, ids[0], 'READ');
  await flow.incoming(instance.webhook_url, INSTANCE, '5511982000001', 'I18N-IN-1', 'Sair');
  for (let i = 0; i < 50; i++) {
    const c = await flow.api('GET', `/api/v1/campaigns/${campaign.id}`, acme.api_token);
    if (c.counts.read === 1 && c.counts.replied === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  seed = { acme, instance, campaign };
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

/** Every page of the dashboard, with the name its screenshot gets. */
function pages() {
  return [
    ['/', 'campaigns'],
    ['/campaigns/new', 'new-campaign'],
    [`/campaigns/${seed.campaign.id}`, 'campaign'],
    ['/instances', 'instances'],
    ['/opt-outs', 'opt-outs'],
    ['/settings', 'settings'],
    ['/users', 'users'],
    ['/tokens', 'tokens'],
    ['/account', 'account'],
    ['/contacts', 'contacts'],
    ['/lists', 'lists'],
    ['/insights', 'insights'],
    [`/campaigns/compare?ids=${seed.campaign.id}`, 'compare'],
  ];
}

/** Waits until the page (reloaded by a form post) is in `lang`; works without JavaScript. */
async function waitForLang(p, lang) {
  for (let i = 0; i < 100; i++) {
    if ((await p.getAttribute('html', 'lang').catch(() => null)) === lang) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await p.getAttribute('html', 'lang'), lang);
}

/** A logged-in page whose browser asks for `lang`. */
async function session(lang, options = {}) {
  const context = await newContext(browser, {
    viewport: { width: 1440, height: 900 },
    locale: lang,
    extraHTTPHeaders: { 'accept-language': lang },
    ...options,
  });
  const p = await context.newPage();
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  // The login reloads the first page in the user's language; wait for that full load.
  await p.goto(`${flow.base}/`);
  return p;
}

/** The words a person sees on the page, lower-cased. */
async function words(p) {
  const text = await p.evaluate(() => {
    // Codes, secrets and phone numbers (monospace) are data, not words.
    for (const el of document.querySelectorAll('code, .font-mono')) el.style.display = 'none';
    const titles = [...document.querySelectorAll('[placeholder],[aria-label],[title]')]
      .flatMap((el) => ['placeholder', 'aria-label', 'title'].map((a) => el.getAttribute(a) || ''));
    return `${document.body.innerText}\n${titles.join('\n')}\n${document.title}`;
  });
  return new Set(
    text
      .toLowerCase()
      .replace(/\S+@\S+/g, ' ') // e-mail addresses
      .replace(/\{\{\w+\}\}/g, ' ') // message placeholders
      .split(/[\s,.;:()"“”!?·←→/+%–—…]+/)
      .filter((w) => /\p{L}/u.test(w)),
  );
}

test('a page rendered for Accept-Language pt-BR is in Portuguese, for en in English', async () => {
  const cases = [
    ['pt-BR', 'Entrar', 'Campanhas', 'Taxa de entrega', /30\/11|\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/],
    ['en', 'Log in', 'Campaigns', 'Delivery rate', /\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)/],
  ];
  for (const [lang, signIn, campaigns, deliveryRate, date] of cases) {
    const login = await fetch(`${flow.base}/login`, { headers: { 'accept-language': lang } });
    const html = await login.text();
    assert.match(html, new RegExp(`<html lang="${lang}"`));
    assert.ok(html.includes(signIn), `${lang}: login says ${signIn}`);

    const p = await session(lang);
    assert.ok((await p.textContent('h1')).includes(campaigns));
    await p.goto(`${flow.base}/campaigns/${seed.campaign.id}`);
    const body = await p.textContent('body');
    assert.ok(body.includes(deliveryRate), `${lang}: ${deliveryRate}`);
    assert.match(body, date);
    assert.ok(!/\bUTC\b/.test(body), 'no UTC times');
    // 1 of 1 delivered was read; 1 of 3 delivered.
    const [read, delivery] = lang === 'pt-BR' ? ['100,0%', '33,3%'] : ['100.0%', '33.3%'];
    assert.equal(await p.textContent('[data-testid=rate-read]'), read);
    assert.equal(await p.textContent('[data-testid=rate-delivery]'), delivery);
    await p.context().close();
  }
});

test('no English is left on any page in pt-BR', async () => {
  const pt = await session('pt-BR');
  const en = await session('en');
  const leftovers = {};
  for (const [path, name] of [['/login', 'login'], ...pages()]) {
    if (path === '/login') {
      // Logged out: a fresh context for each language.
      for (const p of [pt, en]) await p.context().clearCookies();
    }
    await pt.goto(`${flow.base}${path}`);
    await en.goto(`${flow.base}${path}`);
    await pt.waitForLoadState('networkidle');
    await shot(pt, `i18n-pt-BR-${name}`);
    const [ptWords, enWords] = [await words(pt), await words(en)];
    // A UI word shown in English on both pages was not translated.
    const same = [...enWords].filter((w) => ptWords.has(w) && !ALLOWED.has(w));
    if (same.length) leftovers[path] = same;
    if (path === '/login') {
      await login(pt, flow.base, 'admin@acme.test', PASSWORD);
      await login(en, flow.base, 'admin@acme.test', PASSWORD);
    }
  }
  assert.deepEqual(leftovers, {}, 'words not translated on pt-BR pages');
  await pt.context().close();
  await en.context().close();
});

test('the language switch saves the choice, with and without JavaScript', async () => {
  for (const javaScriptEnabled of [true, false]) {
    const p = await session('pt-BR', { javaScriptEnabled });
    await p.goto(`${flow.base}/instances`);
    assert.equal(await p.getAttribute('html', 'lang'), 'pt-BR');
    await p.selectOption('#locale-select', 'en');
    await p.click('[data-testid=language-submit]');
    await waitForLang(p, 'en');
    assert.equal(p.url(), `${flow.base}/instances`, 'back on the same page');
    assert.ok((await p.textContent('h1')).includes('Instances'));
    await p.context().close();

    // Saved on the user: a browser asking for Portuguese still gets English.
    const again = await session('pt-BR', { javaScriptEnabled });
    assert.equal(await again.getAttribute('html', 'lang'), 'en');
    assert.ok((await again.textContent('h1')).includes('Campaigns'));
    await again.selectOption('#locale-select', 'pt-BR');
    await again.click('[data-testid=language-submit]');
    await waitForLang(again, 'pt-BR');
    assert.ok((await again.textContent('h1')).includes('Campanhas'));
    await again.context().close();
  }
});

test('axe-core finds no serious or critical violation on any page', async () => {
  const p = await session('pt-BR');
  const found = {};
  const audit = async (path) => {
    await p.goto(`${flow.base}${path}`);
    await p.waitForLoadState('networkidle');
    const violations = await seriousViolations(p);
    if (violations.length) found[path] = violations;
  };
  for (const [path] of pages()) await audit(path);
  await p.context().clearCookies();
  await audit('/login');
  assert.deepEqual(found, {});
  await p.context().close();
});

test('at 390×844 no page scrolls sideways and the header is a menu', async () => {
  const p = await session('pt-BR', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const wide = {};
  for (const [path, name] of pages()) {
    await p.goto(`${flow.base}${path}`);
    await p.waitForLoadState('networkidle');
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide[path] = width;
    await shot(p, `phone-pt-BR-${name}`);
  }
  assert.deepEqual(wide, {}, 'pages wider than the phone');

  // The links hide behind the menu until it is opened (a <details>, no JavaScript needed).
  await p.goto(`${flow.base}/`);
  assert.equal(await p.isVisible('[data-testid=logout]'), false);
  await p.click('[data-testid=nav-menu-toggle]');
  assert.equal(await p.isVisible('[data-testid=logout]'), true);
  await shot(p, 'phone-pt-BR-menu');
  await p.goto(`${flow.base}/login`);
  await p.context().clearCookies();
  await p.goto(`${flow.base}/login`);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390));
  await p.context().close();
});
