// Debian's Chromium driven by playwright-core; never a downloaded browser.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const artifacts = resolve(import.meta.dirname, '..', 'artifacts');
mkdirSync(artifacts, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A browser context (`options` as Playwright's) whose pages report on stderr what went wrong in
 * them: uncaught errors, console errors, failed requests and answers of 400 or more. A failing
 * test then shows why the page did not do what it waited for.
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext(options);
  context.on('page', (page) => {
    const say = (what) => process.stderr.write(`browser: ${what} (on ${page.url()})\n`);
    page.on('pageerror', (e) => say(`uncaught ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') say(`console ${m.text()}`); });
    page.on('requestfailed', (r) => {
      const reason = r.failure()?.errorText;
      // Leaving a page aborts its live stream and pending loads: that is not a failure.
      // A page without JavaScript refuses its scripts ('csp'): expected there too.
      if (reason !== 'net::ERR_ABORTED' && reason !== 'csp') say(`${r.method()} ${r.url()} failed: ${reason}`);
    });
    page.on('response', (r) => { if (r.status() >= 400) say(`${r.request().method()} ${r.url()} answered ${r.status()}`); });
  });
  return context;
}

/** Saves a full-page screenshot as artifacts/NAME.png. */
export function shot(page, name) {
  return page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/**
 * Waits until the page has hydrated (its listeners are attached). Typing into a page that
 * has not is not seen by its live parts (a preview, a count), as for a person on a slow phone.
 */
export function hydrated(page) {
  return page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

/** Logs in through the form; waits for the campaigns page. */
export async function login(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
}
