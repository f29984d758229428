// What every test file starts with: a hub of its own and a browser, started before
// its tests and stopped after them.

import { after, before } from 'node:test';
import { launch } from './browser.mjs';
import { Hub } from './hub.mjs';

/** `{hub, browser}`, filled in before the file's tests; `settings` as for `Hub`. */
export function hubAndBrowser(settings) {
  const env = { hub: null, browser: null };
  before(async () => {
    env.hub = await new Hub(settings).start();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.hub?.stop();
  });
  return env;
}
