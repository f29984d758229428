// Live delivery between two people, each in their own browser: a hug sent from A's
// page appears on B's page without a reload; B's unread badge clears in a second tab
// when B reads in the first; a mood check-in shows on a friend's page at once.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { befriend, register } from '../lib/api.mjs';
import { logIn, openContext, screenshot } from '../lib/browser.mjs';
import { hubAndBrowser } from '../lib/suite.mjs';

describe('live updates', () => {
  const env = hubAndBrowser();
  let alice;
  let bob;
  let pageA;
  let pageB;
  const contexts = [];

  before(async () => {
    const { hub, browser } = env;
    alice = await register(hub.base, 'alice', 'Alice');
    bob = await register(hub.base, 'bob', 'Bob');
    await befriend(hub.base, alice, bob);
    for (const person of [alice, bob]) {
      const context = await openContext(browser, hub.base);
      contexts.push(context);
      const page = await context.newPage();
      await logIn(page, person);
      if (person === alice) pageA = page;
      else pageB = page;
    }
  });

  it('A hugs B from the page and B sees it without a reload', async (t) => {
    await pageB.evaluate(() => { window.notReloaded = true; });
    const form = pageA.getByRole('form', { name: 'Send a hug' });
    await form.getByLabel('To').selectOption({ label: 'Bob' });
    await form.getByText('Bear').click();
    await form.getByLabel('Message (optional)').fill('You have got this, Bob');
    const clicked = Date.now();
    await form.getByRole('button', { name: 'Send hug' }).click();

    const received = pageB.getByRole('region', { name: 'Hugs received' });
    const hug = received.getByRole('listitem').filter({ hasText: 'You have got this, Bob' });
    await hug.waitFor({ timeout: 5000 });
    t.diagnostic(`the hug showed on B's page ${Date.now() - clicked} ms after A's click`);
    assert.match(await hug.innerText(), /Bear hug from Alice/);
    assert.equal(await hug.evaluate((li) => li.classList.contains('hug-new')), true, 'the new hug is animated');
    assert.equal(await pageB.evaluate(() => window.notReloaded), true, 'B did not reload');
    await pageA.getByRole('region', { name: 'Hugs sent' }).getByText('You have got this, Bob').waitFor();
    await screenshot(pageB, 'live-hug-received');
    await screenshot(pageA, 'live-hug-sent');
    for (const c of contexts) c.guard.check();
  });

  it("clears B's unread badge in a second tab when B reads in the first", async () => {
    const badge = pageB.locator('#unread-badge');
    await badge.waitFor();
    assert.ok(Number(await badge.innerText()) >= 1);
    // The second tab shares the session (same browser profile) and opens its own stream.
    const inbox = await pageB.context().newPage();
    await inbox.goto('/#/inbox');
    await inbox.locator('#live-status[data-state="live"]').waitFor();
    const item = inbox.getByRole('listitem').filter({ hasText: 'You received a hug' });
    await item.getByRole('button', { name: /Mark read/ }).click();
    await inbox.getByRole('button', { name: 'Mark all read' }).click();
    await badge.waitFor({ state: 'hidden', timeout: 3000 });
    await inbox.locator('#unread-badge').waitFor({ state: 'hidden' });

    // One read at a time: a new hug counts 1 in both tabs; reading it in one clears both.
    const form = pageA.getByRole('form', { name: 'Send a hug' });
    await form.getByLabel('Message (optional)').fill('one more');
    await form.getByRole('button', { name: 'Send hug' }).click();
    await pageB.locator('#unread-badge:not([hidden])').waitFor({ timeout: 5000 });
    assert.equal(await pageB.locator('#unread-badge').innerText(), '1');
    const fresh = inbox.getByRole('listitem').filter({ hasText: 'You received a hug' }).first();
    await fresh.getByRole('button', { name: /Mark read/ }).click();
    await badge.waitFor({ state: 'hidden', timeout: 3000 });
    await screenshot(inbox, 'live-inbox-read');
    for (const c of contexts) c.guard.check();
    await inbox.close();
  });

  it("shows a mood check-in on a friend's page at once", async () => {
    const form = pageB.getByRole('form', { name: 'Check in' });
    await form.getByText('excited').click();
    await form.getByLabel('Note (optional)').fill('Got the new job!');
    await form.getByRole('button', { name: 'Check in' }).click();
    const row = pageA.getByRole('region', { name: 'Friends' }).getByRole('listitem').filter({ hasText: 'Bob' });
    await row.getByText('Got the new job!').waitFor({ timeout: 5000 });
    assert.match(await row.innerText(), /excited/);
    await screenshot(pageA, 'live-friend-mood');
    for (const c of contexts) c.guard.check();
  });
});
