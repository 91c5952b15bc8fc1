// Running a team from the browser, in pt-BR: first-run setup on an empty database, users (a
// viewer cannot see the admin pages; removing a user ends their session), API tokens (create,
// use with the API, revoke → 401), the settings' opt-out tester, and a campaign scheduled in
// the team's timezone that starts by itself. Screenshots go to end2end/artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { hydrated, launch, login, newContext, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

const PASSWORD = 'e2e-password-123';

let flow;
let browser;

before(async () => {
  // An empty database: no tenant, no demo.
  flow = await Flow.start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

async function page() {
  const context = await newContext(browser, {
    viewport: { width: 1440, height: 900 },
    locale: 'pt-BR',
    extraHTTPHeaders: { 'accept-language': 'pt-BR' },
  });
  return context.newPage();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let admin; // { page, token } of the team made at setup

test('setup on an empty database creates the team once, then is gone', async () => {
  const p = await page();
  await p.goto(`${flow.base}/`);
  await hydrated(p);
  assert.equal(new URL(p.url()).pathname, '/setup');
  await shot(p, 'admin-01-setup');
  await p.fill('input[name=tenant_name]', 'Loja Azul');
  await p.fill('input[name=email]', 'ana@lojaazul.test');
  await p.fill('input[name=password]', PASSWORD);
  await p.click('button[type=submit]');
  await p.waitForURL(`${flow.base}/`);
  const res = await fetch(`${flow.base}/setup`, { redirect: 'manual' });
  assert.equal(res.status, 404);
  // The operator API still works.
  const other = await flow.tenant('Outra');
  assert.ok(other.api_token);
  admin = { page: p };
});

test('admins create a viewer, who cannot see the admin pages, and removing a user ends their session', async () => {
  const p = admin.page;
  await p.goto(`${flow.base}/users`);
  await hydrated(p);
  await p.waitForSelector('[data-testid=users]');
  await p.fill('[data-testid=new-user] input[name=email]', 'vera@lojaazul.test');
  await p.fill('[data-testid=new-user] input[name=password]', PASSWORD);
  await p.selectOption('[data-testid=new-user] select[name=role]', 'viewer');
  await p.click('[data-testid=new-user] button[type=submit]');
  await p.waitForSelector('[data-testid=user-row] >> text=vera@lojaazul.test');
  await shot(p, 'admin-02-users');

  const v = await page();
  await login(v, flow.base, 'vera@lojaazul.test', PASSWORD);
  assert.equal(await v.locator('a[href="/users"]').count(), 0, 'no admin links for a viewer');
  await v.goto(`${flow.base}/users`);
  await v.waitForSelector('[role=alert]');
  assert.equal(await v.locator('[data-testid=users]').count(), 0);
  await v.goto(`${flow.base}/tokens`);
  await v.waitForSelector('[role=alert]');
  assert.equal(await v.locator('[data-testid=tokens]').count(), 0);

  // The admin removes Vera: her next page goes to the login.
  await p.goto(`${flow.base}/users`);
  const row = p.locator('[data-testid=user-row]', { hasText: 'vera@lojaazul.test' });
  await row.locator('[data-testid=remove-user]').click();
  // The list on screen (the page's serialized data script still names her until a reload).
  await p.waitForFunction(() => ![...document.querySelectorAll('[data-testid=user-row]')]
    .some((r) => r.textContent.includes('vera@lojaazul.test')));
  await v.goto(`${flow.base}/`);
  assert.equal(new URL(v.url()).pathname, '/login');
  await v.context().close();
});

test('tokens: created once with a copy button, used with the API, revoked → 401', async () => {
  const p = admin.page;
  await p.goto(`${flow.base}/tokens`);
  await hydrated(p);
  await p.fill('[data-testid=new-token] input[name=name]', 'CRM');
  await p.click('[data-testid=new-token] button[type=submit]');
  const secret = (await p.textContent('[data-testid=new-token-secret]')).trim();
  assert.match(secret, /^flow_/);
  await shot(p, 'admin-03-tokens');
  const campaigns = await flow.api('GET', '/api/v1/campaigns', secret);
  assert.deepEqual(campaigns, []);
  admin.token = secret;

  const row = p.locator('[data-testid=token-row]', { hasText: 'CRM' });
  await row.locator('[data-testid=revoke-token]').click();
  await p.waitForFunction(() => !document.querySelector('[data-testid=token-row]'));
  const res = await fetch(`${flow.base}/api/v1/campaigns`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(res.status, 401);
});

test('the settings tester says whether a message opts out, live and without JavaScript', async () => {
  const p = admin.page;
  await p.goto(`${flow.base}/settings`);
  // Typing before the page has hydrated reaches no listener: type again, as a person would.
  const typeUntil = async (text, shown) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      await p.fill('[data-testid=opt-out-text]', text);
      const ok = await p
        .waitForSelector(`[data-testid=opt-out-result] >> text=${shown}`, { timeout: 3000 })
        .then(() => true, () => false);
      if (ok) return;
    }
    assert.fail(`the tester never said ${shown} for ${text}`);
  };
  await typeUntil('Sair!!', 'SAIR');
  await shot(p, 'admin-04-settings');
  await typeUntil('vou sair mais tarde', 'Não descadastra');

  const context = await newContext(browser, { javaScriptEnabled: false, extraHTTPHeaders: { 'accept-language': 'pt-BR' } });
  await context.addCookies(await p.context().cookies());
  const noJs = await context.newPage();
  await noJs.goto(`${flow.base}/settings?test=PARAR`);
  assert.match(await noJs.textContent('[data-testid=opt-out-result]'), /PARAR/);
  await context.close();
});

test('a campaign scheduled in the team timezone starts by itself', async () => {
  const p = admin.page;
  // A token for the setup data (the first was revoked).
  await p.goto(`${flow.base}/tokens`);
  await hydrated(p);
  await p.fill('[data-testid=new-token] input[name=name]', 'setup');
  await p.click('[data-testid=new-token] button[type=submit]');
  const token = (await p.textContent('[data-testid=new-token-secret]')).trim();
  const instance = await flow.api('POST', '/api/v1/instances', token, {
    instance_name: 'loja-azul', api_url: 'http://127.0.0.1:9', api_key: 'e2e-key', api_version: 'v2',
  });
  await flow.api('POST', '/api/v1/contacts', token, [{ name: 'Maria', phone: '+55 11 981000001' }]);
  const c = await flow.api('POST', '/api/v1/campaigns', token, {
    name: 'Natal', message: 'Oi {{first_name}}', instance_ids: [instance.id], all_contacts: true,
  });
  // Two minutes ahead, typed as the team's local time (São Paulo) into the page's form.
  const local = new Date(Date.now() + 2 * 60_000 - 3 * 3_600_000).toISOString().slice(0, 16);
  await p.goto(`${flow.base}/campaigns/${c.id}`);
  await hydrated(p);
  await p.fill('[data-testid=schedule-form] input[name=start_at]', local);
  await p.click('[data-testid=action-schedule]');
  await p.waitForSelector('[data-testid=scheduled-for]');
  await shot(p, 'admin-05-scheduled');
  // Bring it forward through the API (RFC 3339) so the test does not wait two minutes.
  await flow.api('POST', `/api/v1/campaigns/${c.id}/schedule`, token, { start_at: new Date(Date.now() + 3000).toISOString() });
  for (let i = 0; i < 60; i++) {
    const now = await flow.api('GET', `/api/v1/campaigns/${c.id}`, token);
    if (now.status !== 'scheduled') {
      assert.equal(now.status, 'active');
      return;
    }
    await sleep(250);
  }
  assert.fail('the scheduled campaign never started');
});
