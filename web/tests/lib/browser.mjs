// Headless Chromium (the Debian package) driven by playwright-core, and the checks
// every test makes on each browser context: no console error, no uncaught page error,
// and no request to any origin but the hub's.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.HUGMOOD_CHROMIUM || '/usr/bin/chromium';
/** Screenshots land here (git-ignored). */
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

// Without the background-networking flags Chromium reaches for its own services at
// start-up; those would be requests to other origins.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * A browser context on `base` with its guards. `allow` lists console errors a test
 * expects (each a RegExp), such as the failed loads while the hub is down.
 * `serviceWorkers: 'block'` for a test that intercepts the page's requests (a
 * service worker could otherwise take them out of Playwright's sight). `origins`
 * lists the other origins its pages may call (a page of another origin calling the hub).
 */
export async function openContext(browser, base, { allow = [], viewport = { width: 1100, height: 900 }, serviceWorkers = 'allow', origins = [] } = {}) {
  const context = await browser.newContext({ baseURL: base, viewport, serviceWorkers });
  const problems = [];
  const allowed = new Set([base, ...origins].map((url) => new URL(url).origin));
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      if (!allow.some((re) => re.test(text))) problems.push(`console error on ${page.url()}: ${text}`);
    });
    page.on('pageerror', (err) => problems.push(`uncaught error on ${page.url()}: ${err.message}`));
  };
  context.on('page', watch);
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (!allowed.has(url.origin)) problems.push(`request to another origin: ${request.url()}`);
  });
  context.guard = {
    problems,
    allow,
    /** Throws if anything went wrong in this context so far. */
    check() {
      if (problems.length) throw new Error(`the browser reported:\n${problems.join('\n')}`);
    },
  };
  return context;
}

/**
 * Saves a screenshot of `page` to the artifacts; also fails if the page shows a value
 * the code forgot to turn into text (`null`, `undefined`, `NaN`, `[object Object]`).
 */
export async function screenshot(page, name) {
  const text = await page.locator('body').innerText();
  const slip = /\b(null|undefined|NaN)\b|\[object Object\]/.exec(text);
  if (slip) throw new Error(`${name}: the page shows "${slip[0]}"`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Logs `person` in through the page's form and waits for the home screen. */
export async function logIn(page, person) {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Log in' }).waitFor();
  const form = page.getByRole('form', { name: 'Log in' });
  await form.getByLabel('Username or email').fill(person.username);
  await form.getByLabel('Password').fill(person.password);
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Check in' }).waitFor();
  await page.locator('#live-status[data-state="live"]').waitFor();
}
