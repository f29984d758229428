// A real hub process for the browser tests: the debug binary on a loopback port with
// a temporary SQLite file, started, killed and started again on the same port and
// database (as a restart in production would).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where scripts/web-e2e.sh built the hub (HUGMOOD_HUB_BIN). */
export const HUB_BIN = process.env.HUGMOOD_HUB_BIN;

/** Roomy limits: every test signs several people up from one address. */
const SETTINGS = {
  HUGMOOD_LOG_FORMAT: 'json',
  HUGMOOD_REGISTER_RATE_PER_HOUR: '100000',
  HUGMOOD_LOGIN_RATE_PER_MINUTE: '100000',
  HUGMOOD_HUG_RATE_PER_MINUTE: '10000',
  HUGMOOD_MOOD_RATE_PER_MINUTE: '10000',
  HUGMOOD_FRIEND_REQUEST_RATE_PER_HOUR: '100000',
  HUGMOOD_SSE_RETRY_MS: '500',
  RUST_LOG: 'warn,hugmood=info,hugmood_api=info',
};

export class Hub {
  /** `settings`: more HUGMOOD_* variables for this hub. */
  constructor(settings = {}) {
    this.settings = settings;
    if (!HUB_BIN) throw new Error('HUGMOOD_HUB_BIN is not set (run the tests with scripts/web-e2e.sh)');
    this.dir = mkdtempSync(join(tmpdir(), 'hugmood-web-e2e-'));
    this.port = 0;
    this.child = null;
    this.log = '';
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the hub (on the port it had before, if any) and waits until it listens. */
  async start() {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HUGMOOD_')));
    Object.assign(env, SETTINGS, this.settings, {
      HUGMOOD_BIND: `127.0.0.1:${this.port}`,
      HUGMOOD_DATABASE_URL: `sqlite://${join(this.dir, 'hub.db')}`,
    });
    const child = spawn(HUB_BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.exited = exited;
    const listening = new Promise((resolve, reject) => {
      const onData = (chunk) => {
        this.log += chunk;
        const m = /"hub listening","addr":"127\.0\.0\.1:(\d+)"/.exec(this.log);
        if (m) resolve(Number(m[1]));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      exited.then((code) => reject(new Error(`the hub exited (${code}) before listening:\n${this.log}`)));
      // Roomy: a debug hub on a busy two-core machine can take a while.
      setTimeout(() => reject(new Error(`the hub did not start in 60 s:\n${this.log}`)), 60000).unref();
    });
    this.port = await listening;
    return this;
  }

  /** Kills the hub at once (SIGKILL: no goodbye to its streams) and waits for its end. */
  async kill(signal = 'SIGKILL') {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await this.exited;
  }

  async stop() {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
