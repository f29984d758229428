// The users of a run: the file `hugmood seed --users N --tokens-out FILE` writes, one
// `<user id> <access token>` line per user, named by TOKENS_FILE. Seeded users come in
// order (demo_1 … demo_N) and each befriends the next RING_FRIENDS (seed's --friends,
// default 3), so user i's friends are i±1 … i±RING_FRIENDS, wrapping around.

import { SharedArray } from 'k6/data';
import encoding from 'k6/encoding';
import { envInt, envPath } from './env.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;

/** `{ id, token }` per line of `text`; a malformed line is an error naming it. */
export function parseTokens(text, source) {
    const users = [];
    text.split('\n').forEach((raw, index) => {
        const line = raw.trim();
        if (line === '') {
            return;
        }
        const fields = line.split(/\s+/);
        if (fields.length !== 2 || !UUID.test(fields[0]) || !JWT.test(fields[1])) {
            throw new Error(
                `${source} line ${index + 1}: expected "<user id> <access token>" as ` +
                    'hugmood seed --tokens-out writes it',
            );
        }
        users.push({ id: fields[0].toLowerCase(), token: fields[1] });
    });
    if (users.length < 2) {
        throw new Error(`${source}: ${users.length} users; seed at least 2 (hugmood seed --users N)`);
    }
    return users;
}

/** Seconds since the epoch at which `token` expires (its `exp` claim). */
function expiry(token) {
    const claims = JSON.parse(encoding.b64decode(JWT.exec(token)[1], 'rawurl', 's'));
    return Number(claims.exp);
}

/**
 * The users of TOKENS_FILE, read once and shared by every VU. Refuses tokens that
 * expire before `runSecs` from now are over: the run would turn into a stream of 401s.
 */
export function loadUsers(runSecs) {
    const path = envPath('TOKENS_FILE');
    const users = new SharedArray('users', () => parseTokens(open(path), path));
    const expires = expiry(users[0].token);
    const needed = Date.now() / 1000 + runSecs + 30;
    if (!(expires > needed)) {
        const left = Math.round(expires - Date.now() / 1000);
        const when = left > 0 ? `expire in ${left} s, before this ${runSecs} s run ends` : `expired ${-left} s ago`;
        throw new Error(
            `${path}: the tokens ${when}; ` +
                'seed again (hugmood seed --token-ttl SECS) or shorten DURATION',
        );
    }
    return users;
}

/** Friends per user in the seeded ring (seed's --friends). */
export function ringFriends() {
    return envInt('RING_FRIENDS', 3, 1, 100);
}

/** Indexes of user `i`'s friends among `n` seeded users, `k` on either side. */
export function friendsOf(i, n, k) {
    const friends = [];
    for (let d = 1; d <= k; d += 1) {
        for (const j of [(i + d) % n, (i - d + n) % n]) {
            if (j !== i && !friends.includes(j)) {
                friends.push(j);
            }
        }
    }
    return friends;
}
