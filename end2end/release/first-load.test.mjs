// The first load of the dashboard on the release bundle, as a phone on 4G gets it: the
// browser's own transfer sizes (Resource Timing) for the script, the WebAssembly and the
// stylesheet — content-hashed names, sent precompressed, kept for a year — and the wasm within
// its budget. Run by end2end/run.sh with the release site (FLOW_SITE_ROOT) and the debug server.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launch, login, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

/**
 * The most WebAssembly bytes the first load of the sign-in page may carry over the wire
 * (brotli): issue 12's 400 KB. The pages are split into lazily loaded groups
 * (app/src/lazy_pages.rs); the sign-in page loads the main module and its own group.
 */
const WASM_BUDGET = 400 * 1024;
/**
 * The same for a signed-in person's first visit to the campaign list (the layout's code too):
 * today's size and a little room, so a change that makes it heavier fails here.
 */
const HOME_BUDGET = 450 * 1024;
const PASSWORD = 'e2e-password-123';

let flow;
let browser;

before(async () => {
  flow = await Flow.start();
  browser = await launch();
  const acme = await flow.tenant('Acme Móveis');
  flow.user(acme.id, 'admin@acme.test', PASSWORD, 'admin');
});

after(async () => {
  await browser?.close();
  flow?.stop();
});

/** What the current document loaded: path, bytes over the wire, compressed and plain body. */
function resources(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({
    path: new URL(e.name).pathname,
    transfer: e.transferSize,
    encoded: e.encodedBodySize,
    decoded: e.decodedBodySize,
  })));
}

/**
 * Waits until the current document has loaded its wasm: at least one module, and no new one
 * for a second (a page's group may be asked for after the main module).
 */
async function wasmLoaded(page) {
  const loaded = () => page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('.wasm') && e.responseEnd > 0).length);
  let seen = -1;
  for (;;) {
    const now = await loaded();
    if (now > 0 && now === seen) return;
    seen = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The bytes over the wire (compressed body) of the wasm files in `loaded`. */
function wasmBytes(loaded) {
  return loaded.filter((r) => r.path.endsWith('.wasm')).reduce((sum, r) => sum + r.encoded, 0);
}

test('the first load is hashed, precompressed, cached for a year and within budget', async () => {
  // A plain context, not support's newContext: the server here is the debug build (a release
  // server build would add ~20 min to every CI run) and its markup is not what the release
  // bundle hydrates (tachys panics). This test reads transfer sizes and cache headers, which do
  // not depend on hydration; a release server with this bundle hydrates (checked 2026-12-01).
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await context.newPage();
  const headers = new Map();
  p.on('response', async (r) => headers.set(new URL(r.url()).pathname, await r.allHeaders()));

  await p.goto(`${flow.base}/login`);
  await wasmLoaded(p);
  const first = await resources(p);
  const bundle = first.filter((r) => r.path.startsWith('/pkg/'));
  const wasm = bundle.filter((r) => r.path.endsWith('.wasm'));
  const js = bundle.find((r) => r.path.endsWith('.js'));
  const css = bundle.find((r) => r.path.endsWith('.css'));
  assert.ok(wasm.length > 1 && js && css, `the main module and the page's group: ${JSON.stringify(first)}`);

  for (const file of bundle) {
    assert.match(file.path, /^\/pkg\/[A-Za-z0-9_.-]*[A-Za-z0-9_-]{10,}\.(wasm|js|css)$/, 'a content-hashed name');
    const h = headers.get(file.path);
    assert.equal(h['cache-control'], 'public, max-age=31536000, immutable', file.path);
    assert.equal(h['content-encoding'], 'br', `${file.path} precompressed with brotli`);
    assert.ok(file.encoded < file.decoded, `${file.path}: ${file.encoded} of ${file.decoded} bytes`);
  }
  const signIn = wasmBytes(bundle);
  assert.ok(
    signIn <= WASM_BUDGET,
    `the sign-in page's wasm is ${signIn} bytes over the wire; the budget is ${WASM_BUDGET}`,
  );
  const total = first.reduce((sum, r) => sum + r.transfer, 0);
  const page = await p.evaluate(() => performance.getEntriesByType('navigation')[0].transferSize);
  console.log(
    `first load of /login: page ${page} B, wasm ${signIn} B in ${wasm.length} files ` +
    `(${wasm.reduce((sum, r) => sum + r.decoded, 0)} B uncompressed), js ${js.encoded} B, ` +
    `css ${css.encoded} B; all resources ${total} B over the wire`,
  );

  // The next page finds what it shares with this one in the browser's cache: only its own
  // group goes over the wire.
  const before = new Set(bundle.map((r) => r.path));
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await wasmLoaded(p);
  const next = (await resources(p)).filter((r) => r.path.startsWith('/pkg/'));
  for (const file of next.filter((r) => before.has(r.path))) {
    assert.equal(file.transfer, 0, `${file.path} came from the cache`);
  }

  // A signed-in person opening the campaign list with nothing cached.
  const cookies = await context.cookies();
  const cold = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await cold.addCookies(cookies);
  const home = await cold.newPage();
  await home.goto(`${flow.base}/`);
  await wasmLoaded(home);
  const homeWasm = wasmBytes(await resources(home));
  console.log(`first load of / signed in: wasm ${homeWasm} B over the wire`);
  assert.ok(
    homeWasm <= HOME_BUDGET,
    `the campaign list's wasm is ${homeWasm} bytes over the wire; the budget is ${HOME_BUDGET}`,
  );
  await cold.close();
  await shot(p, 'release-01-first-load');
  await context.close();
});

test('other static files are revalidated, not cached blindly', async () => {
  const res = await fetch(`${flow.base}/favicon.svg`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const missing = await fetch(`${flow.base}/pkg/flow.not-a-build.wasm`);
  assert.equal(missing.status, 404);
  assert.notEqual(missing.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});
