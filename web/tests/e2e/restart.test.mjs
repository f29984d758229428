// The hub is killed and started again (same port, same database) under an open page:
// the page's EventSource reconnects by itself, carried by the stream cookie, and
// resumes with Last-Event-ID, so no hug is lost and none shows twice — neither one
// sent while the hub was down (queued by the sender's page) nor one sent just after.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { befriend, call, register } from '../lib/api.mjs';
import { logIn, openContext, screenshot } from '../lib/browser.mjs';
import { hubAndBrowser } from '../lib/suite.mjs';

/**
 * What Chromium logs while the hub is gone: the open stream cut off mid-response, and
 * the loads that find nothing listening on the port. Nothing else may appear.
 */
const HUB_DOWN = [/net::ERR_INCOMPLETE_CHUNKED_ENCODING/, /net::ERR_CONNECTION_REFUSED/, /net::ERR_CONNECTION_RESET/,
  /net::ERR_EMPTY_RESPONSE/, /net::ERR_INTERNET_DISCONNECTED/];

describe('hub restart', () => {
  const env = hubAndBrowser();

  it('resumes the page without losing or repeating a hug', async (t) => {
    const { hub, browser } = env;
    const alice = await register(hub.base, 'alice', 'Alice');
    const bob = await register(hub.base, 'bob', 'Bob');
    await befriend(hub.base, alice, bob);
    const contextA = await openContext(browser, hub.base, { allow: HUB_DOWN });
    const contextB = await openContext(browser, hub.base, { allow: HUB_DOWN });
    const pageA = await contextA.newPage();
    const pageB = await contextB.newPage();
    await logIn(pageA, alice);
    await logIn(pageB, bob);
    // Chromium's own view of B's stream requests (the headers it really sent).
    const resumes = [];
    const cdp = await contextB.newCDPSession(pageB);
    await cdp.send('Network.enable');
    cdp.on('Network.requestWillBeSentExtraInfo', ({ headers }) => {
      // Only the browser's own reconnection sends the header (the app's code uses
      // `?last_event_id=` when it has to open a new stream).
      if (headers['Last-Event-ID']) resumes.push(headers);
    });
    const received = pageB.getByRole('region', { name: 'Hugs received' });
    const hugsWith = (text) => received.getByRole('listitem').filter({ hasText: text });
    const send = (message) => call(hub.base, 'hugs', {
      method: 'POST', token: alice.accessToken, body: { recipientId: bob.user.id, hugType: 'warm', message },
    });

    await send('before the restart');
    await hugsWith('before the restart').waitFor({ timeout: 5000 });

    await hub.kill();
    await pageB.locator('#live-status:not([data-state="live"])').waitFor({ timeout: 5000 });
    // Sent from A's page while the hub is down: queued, and sent when it is back.
    const form = pageA.getByRole('form', { name: 'Send a hug' });
    await form.getByLabel('To').selectOption({ label: 'Bob' });
    await form.getByLabel('Message (optional)').fill('while it was down');
    await form.getByRole('button', { name: 'Send hug' }).click();
    await pageA.getByRole('region', { name: 'Hugs sent' }).getByText('Queued').waitFor();

    // B cannot reconnect until a hug has been sent without it listening.
    await contextB.setOffline(true);
    await hub.start();
    await send('right after the restart');
    const back = Date.now();
    await contextB.setOffline(false);
    await pageB.locator('#live-status[data-state="live"]').waitFor({ timeout: 10000 });
    t.diagnostic(`B's stream was live again ${Date.now() - back} ms after its connection came back`);
    await hugsWith('right after the restart').waitFor({ timeout: 10000 });
    await hugsWith('while it was down').waitFor({ timeout: 15000 });
    await send('later on');
    await hugsWith('later on').waitFor({ timeout: 5000 });

    for (const text of ['before the restart', 'while it was down', 'right after the restart', 'later on']) {
      assert.equal(await hugsWith(text).count(), 1, `"${text}" is shown once`);
    }
    assert.ok(resumes.length >= 1, "B's browser reconnected by itself, with Last-Event-ID");
    const stored = await call(hub.base, 'hugs/received?per_page=50', { token: bob.accessToken });
    assert.equal(stored.total, 4, 'the hub holds each hug once');
    await screenshot(pageB, 'restart-resumed');
    contextA.guard.check();
    contextB.guard.check();
  });
});
