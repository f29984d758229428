// GraphiQL at /graphql works with no other origin in reach: every request the page
// makes goes to the hub, the editor renders (not "Loading…"), a query runs with the
// token put in the headers editor, and a subscription runs over SSE at
// /graphql/stream, showing the events of a hug sent meanwhile.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, register } from '../lib/api.mjs';
import { openContext, screenshot } from '../lib/browser.mjs';
import { hubAndBrowser } from '../lib/suite.mjs';

/** Sets the CodeMirror editor inside `selector` to `text`. */
async function setEditor(page, selector, text) {
  await page.evaluate(([sel, value]) => {
    const editor = document.querySelector(`${sel} .CodeMirror`);
    if (!editor) throw new Error(`no editor in ${sel}`);
    editor.CodeMirror.setValue(value);
  }, [selector, text]);
}

/** Puts `query` (one operation, named `name`) in the query editor, and waits until
 * GraphiQL has taken it in: the tab is named after the operation. */
async function setQuery(page, query, name) {
  await setEditor(page, '.graphiql-query-editor', query);
  await page.locator('.graphiql-tab-button', { hasText: name }).waitFor();
}

async function resultText(page) {
  return page.locator('.result-window').innerText();
}

describe('GraphiQL', () => {
  const env = hubAndBrowser();
  let alice;
  let bob;
  let context;
  let page;
  const requests = [];

  before(async () => {
    alice = await register(env.hub.base, 'gqlalice', 'Alice');
    bob = await register(env.hub.base, 'gqlbob', 'Bob');
    context = await openContext(env.browser, env.hub.base);
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
  });

  it('renders from the hub alone, with the example operations and the header hint', async () => {
    await page.goto('/graphql');
    await page.locator('.graphiql-container .graphiql-query-editor .CodeMirror').waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /Loading/);
    const query = await page.locator('.graphiql-query-editor').innerText();
    assert.match(query, /me \{/);
    assert.match(query, /hugsReceived/);
    assert.match(query, /subscription Events/);
    const headers = await page.locator('.graphiql-editor-tool').innerText();
    assert.match(headers, /"Authorization": "Bearer <token>"/);
    // The schema was fetched (introspection), so the docs explorer knows the types.
    await page.locator('.graphiql-logo, .graphiql-sidebar').first().waitFor();
    const origin = new URL(env.hub.base).origin;
    assert.ok(requests.length >= 6, `${requests.length} requests`);
    for (const url of requests) {
      assert.equal(new URL(url).origin, origin, `a request to another origin: ${url}`);
    }
    await screenshot(page, 'graphiql');
    context.guard.check();
  });

  it('runs a query with the token of the headers editor', async () => {
    await setQuery(page, 'query Me { me { username } hugsReceived(limit: 5) { hugType } }', 'Me');
    await setEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${alice.accessToken}` }));
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST'
      && r.request().postData().includes('query Me'));
    await page.locator('.graphiql-execute-button').click();
    const response = await answered;
    assert.equal(response.status(), 200);
    await page.locator('.result-window').getByText(alice.username).waitFor();
    assert.match(await resultText(page), /"hugsReceived": \[\]/);
    context.guard.check();
  });

  it('runs a subscription over SSE at /graphql/stream and shows a hug as it arrives', async () => {
    await setQuery(page, 'subscription Events { events { type data } }', 'Events');
    const opened = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/graphql/stream');
    await page.locator('.graphiql-execute-button').click();
    const request = await opened;
    assert.match(request.headers().accept, /text\/event-stream/);
    assert.equal(request.headers().authorization, `Bearer ${alice.accessToken}`);
    // The stream is open once the hub has answered its head.
    await request.response();
    await call(env.hub.base, 'hugs', {
      method: 'POST', token: bob.accessToken, body: { recipientId: alice.user.id, hugType: 'bear', message: 'from the test' },
    });
    // The hug's events arrive in turn; the last, its inbox item, stays on screen.
    await page.locator('.result-window').getByText('Bob sent you a bear hug').waitFor({ timeout: 5000 });
    assert.match(await resultText(page), /"type": "hug_received"/);
    await screenshot(page, 'graphiql-subscription');
    // Stop it (the execute button turns into a stop button while it runs).
    await page.locator('.graphiql-execute-button').click();
    for (const url of requests) assert.equal(new URL(url).origin, new URL(env.hub.base).origin, url);
    assert.ok(!requests.some((url) => url.startsWith('ws')), 'no WebSocket');
    context.guard.check();
    await context.close();
  });
});
