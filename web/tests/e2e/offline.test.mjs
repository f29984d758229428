// Offline, as the guide asks: hugs and check-ins made without a connection wait in
// IndexedDB with an Idempotency-Key each, shown as queued; back online they are sent
// again with that key — delivered exactly once even when the hub receives a write
// twice — and one the hub refuses is removed with a message. The service worker
// opens the app shell without a connection.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { befriend, call, register } from '../lib/api.mjs';
import { logIn, openContext, screenshot } from '../lib/browser.mjs';
import { hubAndBrowser } from '../lib/suite.mjs';

/** Failed loads Chromium logs while the context is offline or an answer is cut. */
const OFFLINE = [/net::ERR_INTERNET_DISCONNECTED/, /net::ERR_FAILED/, /status of 403/];

/** Writes waiting in the page's outbox. */
function queued(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('hugmood', 1);
    open.onsuccess = () => {
      const count = open.result.transaction('outbox').objectStore('outbox').count();
      count.onsuccess = () => resolve(count.result);
      count.onerror = () => reject(count.error);
    };
    open.onerror = () => reject(open.error);
  }));
}

describe('offline', () => {
  const env = hubAndBrowser();
  let alice;
  let bob;
  let carol;
  let contextA;
  let contextB;
  let pageA;
  let pageB;

  before(async () => {
    alice = await register(env.hub.base, 'alice', 'Alice');
    bob = await register(env.hub.base, 'bob', 'Bob');
    carol = await register(env.hub.base, 'carol', 'Carol');
    await befriend(env.hub.base, alice, bob);
    await befriend(env.hub.base, alice, carol);
    // A's requests are intercepted below: no service worker in between.
    contextA = await openContext(env.browser, env.hub.base, { allow: OFFLINE, serviceWorkers: 'block' });
    contextB = await openContext(env.browser, env.hub.base);
    pageA = await contextA.newPage();
    pageB = await contextB.newPage();
    await logIn(pageA, alice);
    await logIn(pageB, bob);
  });

  async function hugFromA(to, message) {
    const form = pageA.getByRole('form', { name: 'Send a hug' });
    await form.getByLabel('To').selectOption({ label: to });
    await form.getByLabel('Message (optional)').fill(message);
    await form.getByRole('button', { name: 'Send hug' }).click();
  }

  it('queues a hug offline and delivers it once, though the hub gets it twice', async () => {
    await contextA.setOffline(true);
    await pageA.getByText('You are offline.').waitFor();
    await hugFromA('Bob', 'sent from a tunnel');
    const sent = pageA.getByRole('region', { name: 'Hugs sent' }).getByRole('listitem').filter({ hasText: 'sent from a tunnel' });
    await sent.getByText('Queued').waitFor();
    assert.equal(await queued(pageA), 1);
    await screenshot(pageA, 'offline-queued');

    // The first replay reaches the hub but its answer is lost on the way back, so the
    // page keeps the hug and sends it again, with the same key.
    const posts = [];
    let first = true;
    await pageA.route('**/api/v1/hugs', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts.push(route.request().headers()['idempotency-key']);
      if (!first) return route.continue();
      first = false;
      const answer = await route.fetch();
      assert.equal(answer.status(), 201, 'the hub took the first replay');
      return route.abort('failed');
    });
    await contextA.setOffline(false);

    const received = pageB.getByRole('region', { name: 'Hugs received' }).getByRole('listitem').filter({ hasText: 'sent from a tunnel' });
    await received.waitFor({ timeout: 10000 });
    await sent.getByText('Queued').waitFor({ state: 'detached', timeout: 15000 });
    await pageA.waitForFunction(() => !document.querySelector('.pending'));
    assert.equal(posts.length, 2, 'the hug was sent twice');
    assert.ok(posts[0] && posts[0] === posts[1], 'with one Idempotency-Key');
    assert.equal(await queued(pageA), 0);
    const hugs = await call(env.hub.base, 'hugs/received?per_page=50', { token: bob.accessToken });
    assert.equal(hugs.items.filter((h) => h.message === 'sent from a tunnel').length, 1, 'B has it once');
    await pageB.waitForTimeout(500);
    assert.equal(await received.count(), 1, "B's page shows it once");
    await pageA.unroute('**/api/v1/hugs');
    await screenshot(pageB, 'offline-delivered-once');
    contextA.guard.check();
    contextB.guard.check();
  });

  it('queues a mood check-in offline and sends it when back online', async () => {
    await contextA.setOffline(true);
    await pageA.getByText('You are offline.').waitFor();
    const form = pageA.getByRole('form', { name: 'Check in' });
    await form.locator('label.choice').filter({ hasText: /calm$/ }).click();
    await form.getByLabel('Note (optional)').fill('tea on the train');
    await form.getByRole('button', { name: 'Check in' }).click();
    const mine = pageA.getByRole('region', { name: 'Your recent check-ins' });
    await mine.getByRole('listitem').filter({ hasText: 'tea on the train' }).getByText('Queued').waitFor();
    await contextA.setOffline(false);
    const row = pageB.getByRole('region', { name: 'Friends' }).getByRole('listitem').filter({ hasText: 'Alice' });
    await row.getByText('tea on the train').waitFor({ timeout: 10000 });
    await mine.getByText('Queued').waitFor({ state: 'detached', timeout: 10000 });
    const moods = await call(env.hub.base, `moods?user_id=${alice.user.id}`, { token: alice.accessToken });
    assert.equal(moods.items.filter((m) => m.note === 'tea on the train').length, 1);
    contextA.guard.check();
    contextB.guard.check();
  });

  it('rolls a queued hug back, with a message, when the hub refuses it', async () => {
    await contextA.setOffline(true);
    await pageA.getByText('You are offline.').waitFor();
    await hugFromA('Carol', 'you will not get this');
    const sent = pageA.getByRole('region', { name: 'Hugs sent' });
    await sent.getByText('you will not get this').waitFor();
    // Meanwhile Carol takes no more hugs.
    await call(env.hub.base, 'users/me/privacy', { method: 'PUT', token: carol.accessToken, body: { allowHugsFrom: 'nobody' } });
    await contextA.setOffline(false);
    const message = pageA.getByRole('alert').filter({ hasText: 'Your hug to Carol was not sent' });
    await message.waitFor({ timeout: 10000 });
    await sent.getByText('you will not get this').waitFor({ state: 'detached' });
    assert.equal(await queued(pageA), 0);
    await screenshot(pageA, 'offline-refused');
    contextA.guard.check();
  });

  it('opens the app shell from the service worker without a connection', async () => {
    const context = await openContext(env.browser, env.hub.base, { allow: OFFLINE });
    const page = await context.newPage();
    await page.goto('/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    const response = await page.reload();
    assert.ok(response.fromServiceWorker(), 'the page came from the service worker');
    await page.getByRole('heading', { name: 'Welcome to HugMood' }).waitFor();
    await screenshot(page, 'offline-shell');
    context.guard.check();
    await context.close();
  });
});
