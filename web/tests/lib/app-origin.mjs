// A second web origin for the CORS tests: a tiny static server on another loopback
// address (127.0.0.2 or 127.0.0.3 — another site than the hub's 127.0.0.1) serving one
// empty page, from which the test's scripts call the hub.

import { createServer } from 'node:http';

const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another origin</title></head>'
  + '<body><h1>A web app on another origin</h1></body></html>';

/** Starts the server on `host` and a free port; resolves to `{origin, close()}`. */
export function serveAppOrigin(host) {
  const server = createServer((request, response) => {
    if (request.url !== '/') {
      response.writeHead(204).end(); // the browser's favicon.ico
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      resolve({
        origin: `http://${host}:${port}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}
