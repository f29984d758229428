// Signing in and the forms: the API's field errors appear next to their fields; a
// session survives a reload and outlives its access token (the refresh token
// rotates); logout ends it; "try anonymously" signs in without an account.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '../lib/api.mjs';
import { openContext, screenshot } from '../lib/browser.mjs';
import { hubAndBrowser } from '../lib/suite.mjs';

const STORED = 'hugmood.session';
/** The refused requests of the bad forms are logged by Chromium as failed loads. */
const REFUSED = [/Failed to load resource: the server responded with a status of 400/];

describe('session and forms', () => {
  const env = hubAndBrowser();

  it('shows the field errors of a refused registration, then registers', async () => {
    const context = await openContext(env.browser, env.hub.base, { allow: REFUSED });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('tab', { name: 'Register' }).click();
    const form = page.getByRole('form', { name: 'Register' });
    await form.getByLabel('Username').fill('x!');
    await form.getByLabel('Email').fill('not an address');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();

    for (const name of ['username', 'email', 'password']) {
      const error = form.locator(`[data-error-for="${name}"]`);
      await error.waitFor();
      assert.notEqual((await error.innerText()).trim(), '', `an error for ${name}`);
    }
    const username = form.getByLabel('Username');
    assert.equal(await username.getAttribute('aria-invalid'), 'true');
    // The error is announced with the field: it is part of its description.
    const describedBy = await username.getAttribute('aria-describedby');
    assert.ok(describedBy.includes(await form.locator('[data-error-for="username"]').getAttribute('id')));
    assert.equal(await page.evaluate(() => document.activeElement.name), 'username', 'the first bad field has the focus');
    await screenshot(page, 'session-register-errors');

    const name = uniqueName('carol');
    await username.fill(name);
    await form.getByLabel('Email').fill(`${name}@example.com`);
    await form.getByLabel('Password').fill('correct-horse-battery');
    await form.getByLabel('Display name (optional)').fill('Carol');
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check in' }).waitFor();

    // A check-in with a tag too long: the error is shown under Tags.
    const checkin = page.getByRole('form', { name: 'Check in' });
    await checkin.getByLabel('Tags (optional)').fill(`fine, ${'x'.repeat(40)}`);
    await checkin.getByRole('button', { name: 'Check in' }).click();
    await checkin.locator('[data-error-for="tags"]:not(:empty)').waitFor();
    assert.equal(await checkin.getByLabel('Tags (optional)').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'session-checkin-errors');
    context.guard.check();
    await context.close();
  });

  it('keeps the session over a reload and past the access token, until logout', async () => {
    const context = await openContext(env.browser, env.hub.base, { allow: [/status of 401/] });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Try anonymously' }).click();
    await page.getByRole('heading', { name: 'Check in' }).waitFor();
    const first = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), STORED);
    assert.equal(first.user.isAnonymous, true);

    await page.reload();
    await page.getByRole('heading', { name: 'Check in' }).waitFor();
    await page.locator('#live-status[data-state="live"]').waitFor();

    // An access token the hub no longer takes (as when it expired): the next call is
    // refused, the refresh token traded for a new pair, and the call repeated.
    await page.evaluate((key) => {
      const stored = JSON.parse(localStorage.getItem(key));
      localStorage.setItem(key, JSON.stringify({ ...stored, accessToken: 'no.longer.valid' }));
    }, STORED);
    await page.reload();
    await page.locator('#live-status[data-state="live"]').waitFor();
    await page.goto('/#/settings');
    await page.getByText(`Signed in as @${first.user.username}`).waitFor();
    const second = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), STORED);
    assert.notEqual(second.refreshToken, first.refreshToken, 'the refresh token rotated');
    assert.notEqual(second.accessToken, 'no.longer.valid');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('tab', { name: 'Log in' }).waitFor();
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), STORED), null);
    const cookies = await context.cookies();
    assert.equal(cookies.filter((c) => c.name === 'hugmood_stream' && c.value).length, 0, 'the stream cookie is gone');
    await page.reload();
    await page.getByRole('tab', { name: 'Log in' }).waitFor();
    // The old refresh token is spent and its session ended.
    const refused = await fetch(`${env.hub.base}/api/v1/auth/refresh`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: second.refreshToken }),
    });
    assert.equal(refused.status, 401);
    context.guard.check();
    await context.close();
  });

  it('is usable on a phone-width screen', async () => {
    const context = await openContext(env.browser, env.hub.base, { viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Try anonymously' }).click();
    await page.getByRole('heading', { name: 'Check in' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    // Keyboard: on a fresh load the skip link comes first.
    await page.reload();
    await page.getByRole('heading', { name: 'Check in' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await screenshot(page, 'session-phone');
    context.guard.check();
    await context.close();
  });
});
