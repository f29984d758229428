// What every script shares: the hub (BASE_URL, loopback only), the run's length and
// VUs, the seeded users (TOKENS_FILE), the latency limits of the thresholds, and the
// check that the hub answers and accepts the tokens before any load is sent.

import http from 'k6/http';
import exec from 'k6/execution';
import { envInt, envSeconds } from './env.js';
import { baseUrl } from './target.js';
import { friendsOf, loadUsers, ringFriends } from './tokens.js';
import { headers } from './api.js';

/** Longest run any script accepts, in seconds. */
export const MAX_DURATION_SECS = 600;
/** Most VUs any script accepts: each holds a connection, and k6 at most 20,000 files. */
export const MAX_VUS = 1000;
/** Requests that may fail (any status but the expected one, or no answer) at most. */
export const MAX_FAILED = 0.01;

/** A number of VUs from variable `name` (default `fallback`), at most MAX_VUS. */
export function envVus(name, fallback) {
    return envInt(name, fallback, 1, MAX_VUS);
}

/**
 * The run's settings. `duration` is the script's default for DURATION; `extraSecs` is
 * how long the script may run past DURATION (the tokens must outlive it).
 */
export function loadConfig({ duration = '30s', extraSecs = 0 } = {}) {
    const durationSecs = envSeconds('DURATION', duration, MAX_DURATION_SECS);
    const config = {
        base: baseUrl(),
        durationSecs,
        thinkMs: envInt('THINK_MS', 0, 0, 60000),
        limits: {
            maxFailed: MAX_FAILED,
            p95: envInt('P95_MS', 500, 1, 60000),
            p99: envInt('P99_MS', 1000, 1, 60000),
        },
        users: loadUsers(durationSecs + extraSecs),
        ringFriends: ringFriends(),
    };
    if (config.limits.p99 < config.limits.p95) {
        throw new Error(`P99_MS=${config.limits.p99} is below P95_MS=${config.limits.p95}`);
    }
    return config;
}

/** Thresholds of every script: failed requests and checks over the whole run. */
export function commonThresholds(config) {
    return {
        http_req_failed: [`rate<${config.limits.maxFailed}`],
        checks: [`rate>${1 - config.limits.maxFailed}`],
    };
}

/** Index of the user VU `vu` (1-based, as k6 numbers them) plays: VU i uses token i mod N. */
export function userIndexOf(vu, config) {
    return (vu - 1) % config.users.length;
}

/** The user this VU plays, `{ index, id, token }`. */
export function currentUser(config) {
    const index = userIndexOf(exec.vu.idInTest, config);
    return { index, ...config.users[index] };
}

/** User ids of the seeded friends of user `index`. */
export function friendIds(index, config) {
    return friendsOf(index, config.users.length, config.ringFriends).map((j) => config.users[j].id);
}

/**
 * For `setup()`: stops the run with a clear message unless the hub answers and takes
 * the first seeded token (a wrong BASE_URL or a tokens file of another database would
 * otherwise be a run of nothing but failures).
 */
export function checkHub(config) {
    const health = http.get(`${config.base}/healthz`, { tags: { name: 'setup' } });
    if (health.status !== 200) {
        exec.test.abort(
            `${config.base}/healthz answered ${health.status || health.error}: is the hub running there?`,
        );
    }
    const me = http.get(`${config.base}/api/v1/users/me`, {
        headers: headers(config.users[0].token),
        tags: { name: 'setup' },
    });
    if (me.status !== 200) {
        exec.test.abort(
            `GET /api/v1/users/me with the first token of TOKENS_FILE answered ${me.status}: ` +
                'was the file written by `hugmood seed` for this hub\'s database?',
        );
    }
}
