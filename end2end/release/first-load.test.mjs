// The first load of the dashboard on the release bundle, as a phone on 4G gets it: the
// browser's own transfer sizes (Resource Timing) for the script, the WebAssembly and the
// stylesheet — content-hashed names, sent precompressed, kept for a year — and the wasm within
// its budget. Run by end2end/run.sh with the release site (FLOW_SITE_ROOT) and the debug server.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launch, login, shot } from '../support/browser.mjs';
import { Flow } from '../support/server.mjs';

/**
 * The most WebAssembly bytes a first load may carry over the wire (brotli): today's size and a
 * little room, so a change that makes the bundle heavier fails here. The goal is 400 KB (issue
 * 12); the bundle is 962 KB today (4.6 MB before compression), see the README.
 */
const WASM_BUDGET = 1000 * 1024;
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

/** Waits until the current document has loaded its wasm. */
function wasmLoaded(page) {
  return page.waitForFunction(() => performance.getEntriesByType('resource')
    .some((e) => e.name.endsWith('.wasm') && e.responseEnd > 0));
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
  const wasm = bundle.find((r) => r.path.endsWith('.wasm'));
  const js = bundle.find((r) => r.path.endsWith('.js'));
  const css = bundle.find((r) => r.path.endsWith('.css'));
  assert.ok(wasm && js && css, JSON.stringify(first));

  for (const file of [wasm, js, css]) {
    assert.match(file.path, /^\/pkg\/flow\.[A-Za-z0-9_-]{10,}\.(wasm|js|css)$/, 'a content-hashed name');
    const h = headers.get(file.path);
    assert.equal(h['cache-control'], 'public, max-age=31536000, immutable', file.path);
    assert.equal(h['content-encoding'], 'br', `${file.path} precompressed with brotli`);
    assert.ok(file.encoded < file.decoded, `${file.path}: ${file.encoded} of ${file.decoded} bytes`);
  }
  assert.ok(
    wasm.encoded <= WASM_BUDGET,
    `the wasm is ${wasm.encoded} bytes over the wire; the budget is ${WASM_BUDGET}`,
  );
  const total = first.reduce((sum, r) => sum + r.transfer, 0);
  const page = await p.evaluate(() => performance.getEntriesByType('navigation')[0].transferSize);
  console.log(
    `first load: page ${page} B, wasm ${wasm.encoded} B (of ${wasm.decoded}), js ${js.encoded} B, ` +
    `css ${css.encoded} B; all resources ${total} B over the wire`,
  );

  // The next page finds the bundle in the browser's cache: nothing goes over the wire for it.
  await login(p, flow.base, 'admin@acme.test', PASSWORD);
  await wasmLoaded(p);
  const next = (await resources(p)).filter((r) => r.path.startsWith('/pkg/'));
  for (const file of next) {
    assert.equal(file.transfer, 0, `${file.path} came from the cache`);
  }
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
