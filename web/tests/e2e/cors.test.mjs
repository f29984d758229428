// CORS in a real browser. A page of a listed origin (another site: 127.0.0.2, the hub
// being on 127.0.0.1) registers, logs in and makes an authenticated call with
// credentialed fetches, takes a stream ticket, and receives a hug sent meanwhile on
// an EventSource opened withCredentials — and on a second one that only the stream
// cookie authenticates, which is how the browser's own reconnections are carried.
// From an unlisted origin (127.0.0.3) the browser blocks the same calls.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, register, uniqueName, PASSWORD } from '../lib/api.mjs';
import { serveAppOrigin } from '../lib/app-origin.mjs';
import { launch, openContext, screenshot } from '../lib/browser.mjs';
import { Hub } from '../lib/hub.mjs';

/** What Chromium logs for a call the CORS policy blocks. */
const BLOCKED = [/has been blocked by CORS policy/, /Failed to load resource: net::ERR_FAILED/];

describe('CORS', () => {
  let listed;
  let unlisted;
  let hub;
  let browser;

  before(async () => {
    listed = await serveAppOrigin('127.0.0.2');
    unlisted = await serveAppOrigin('127.0.0.3');
    hub = await new Hub({ HUGMOOD_CORS_ORIGINS: listed.origin }).start();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
    await listed?.close();
    await unlisted?.close();
  });

  it('a listed origin signs in, calls the API and receives live events with credentials', async () => {
    const context = await openContext(browser, listed.origin, { origins: [hub.base] });
    const page = await context.newPage();
    await page.goto('/');
    const username = uniqueName('corsweb');
    const signedIn = await page.evaluate(async ({ api, username, password }) => {
      const send = async (path, { method = 'GET', token, body } = {}) => {
        const headers = {};
        if (token) headers.Authorization = `Bearer ${token}`;
        if (body) headers['Content-Type'] = 'application/json';
        const response = await fetch(`${api}/${path}`, {
          method, headers, credentials: 'include', body: body && JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null };
      };
      const registered = await send('auth/register', {
        method: 'POST', body: { username, email: `${username}@example.com`, password },
      });
      const login = await send('auth/login', { method: 'POST', body: { login: username, password } });
      const token = login.body.accessToken;
      const me = await send('users/me', { token });
      const inbox = await send('notifications', { token });
      const ticket = await send('sse/ticket', { method: 'POST', token });
      window.received = { ticket: [], cookie: [] };
      const open = (url, into) => new Promise((resolve, reject) => {
        const source = new EventSource(url, { withCredentials: true });
        source.addEventListener('hug_received', (e) => window.received[into].push(JSON.parse(e.data)));
        source.onopen = () => resolve(true);
        source.onerror = () => reject(new Error(`${into}: the stream failed (readyState ${source.readyState})`));
      });
      // The first stream opens with the ticket; the second only with the cookie.
      await open(`${api}/sse/stream?ticket=${ticket.body.ticket}`, 'ticket');
      await open(`${api}/sse/stream`, 'cookie');
      return {
        registered: registered.status, login: login.status, me: me.body, inboxEtag: inbox.etag,
        ticket: ticket.status, userId: login.body.user.id,
      };
    }, { api: `${hub.base}/api/v1`, username, password: PASSWORD });
    assert.equal(signedIn.registered, 201);
    assert.equal(signedIn.login, 200);
    assert.equal(signedIn.me.username, username);
    assert.ok(signedIn.inboxEtag, 'the ETag header is exposed to the page');
    assert.equal(signedIn.ticket, 200);

    const bob = await register(hub.base, 'corsbob', 'Bob');
    await call(hub.base, 'hugs', {
      method: 'POST', token: bob.accessToken, body: { recipientId: signedIn.userId, hugType: 'warm', message: 'across origins' },
    });
    await page.waitForFunction(() => window.received.ticket.length > 0 && window.received.cookie.length > 0, null, { timeout: 5000 });
    const received = await page.evaluate(() => window.received);
    for (const stream of ['ticket', 'cookie']) {
      assert.equal(received[stream][0].data.message, 'across origins', stream);
    }
    await screenshot(page, 'cors-listed-origin');
    context.guard.check();
    await context.close();
  });

  it('an unlisted origin is blocked by the browser', async () => {
    const context = await openContext(browser, unlisted.origin, { origins: [hub.base], allow: BLOCKED });
    const page = await context.newPage();
    await page.goto('/');
    const bob = await register(hub.base, 'corsnope', 'Bob');
    const outcome = await page.evaluate(async ({ api, login, password, token }) => {
      const attempt = async (path, init) => {
        try {
          const response = await fetch(`${api}/${path}`, init);
          return `answered ${response.status}`;
        } catch (err) {
          return `blocked: ${err.name}`;
        }
      };
      return {
        login: await attempt('auth/login', {
          method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ login, password }),
        }),
        me: await attempt('users/me', { credentials: 'include', headers: { Authorization: `Bearer ${token}` } }),
        simple: await attempt('users/me', { credentials: 'include' }),
      };
    }, { api: `${hub.base}/api/v1`, login: bob.username, password: PASSWORD, token: bob.accessToken });
    assert.deepEqual(outcome, { login: 'blocked: TypeError', me: 'blocked: TypeError', simple: 'blocked: TypeError' });
    context.guard.check();
    await context.close();
  });
});
