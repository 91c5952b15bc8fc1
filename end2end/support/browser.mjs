// Debian's Chromium driven by playwright-core; never a downloaded browser.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
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

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the open page (WCAG 2 A/AA, best practice). */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
}

/** A page of a new 1440×900 pt-BR context (`options` added), logged in as `email`. */
export async function signedIn(browser, base, email, password, options = {}) {
  const context = await newContext(browser, {
    viewport: { width: 1440, height: 900 },
    locale: 'pt-BR',
    extraHTTPHeaders: { 'accept-language': 'pt-BR' },
    ...options,
  });
  const page = await context.newPage();
  await login(page, base, email, password);
  return page;
}
