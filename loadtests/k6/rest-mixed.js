// REST mixed traffic, as the app makes it: nine reads in ten (friends' moods and one's
// own, the notification inbox, the profile, hugs received and sent, the friend list)
// and one write in ten (a mood entry, a hug to a friend). Every VU is one seeded user
// (VU i uses token i mod N) and runs a fixed 20-step schedule of those requests, so
// the ratios hold in any run; VUs start at different steps. Thresholds: failures and
// p(95)/p(99) latency per route, checks overall.
//
//   k6 run -e TOKENS_FILE=tokens.txt [-e BASE_URL=http://127.0.0.1:8080] \
//       [-e VUS=5] [-e DURATION=30s] [-e THINK_MS=0] [-e P95_MS=500] [-e P99_MS=1000] \
//       loadtests/k6/rest-mixed.js
//
// Each VU writes about once in ten requests, far above the hub's default limits of 30
// moods and 30 hugs per user per minute: run the hub with roomy limits
// (HUGMOOD_MOOD_RATE_PER_MINUTE, HUGMOOD_HUG_RATE_PER_MINUTE), or a 429 counts as a
// failure.

import { sleep } from 'k6';
import exec from 'k6/execution';
import { call, query, targetThresholds } from './lib/api.js';
import { checkHub, commonThresholds, currentUser, envVus, friendIds, loadConfig } from './lib/config.js';
import { summarize, TREND_STATS } from './lib/summary.js';

const config = loadConfig({ duration: '30s' });
const vus = envVus('VUS', 5);

const MOODS = ['happy', 'excited', 'content', 'calm', 'neutral', 'bored', 'sad', 'anxious', 'angry', 'frustrated'];
const HUG_TYPES = ['warm', 'bear', 'side', 'group', 'healing', 'celebration'];

const isList = (body) => body !== null && Array.isArray(body.items);

const moodOf = (ctx) => MOODS[ctx.step % MOODS.length];

// One request each: `route` is the template the hub routes by, `path` the URL asked
// (default: the route), `verify` what the JSON answer must hold for the VU's user.
const OPS = {
    friendMoods: {
        method: 'GET',
        route: '/api/v1/moods',
        path: (ctx) => `/api/v1/moods${query({ user_id: ctx.friend, per_page: 20 })}`,
        verify: (body, ctx) => isList(body) && body.items.every((e) => e.userId === ctx.friend),
    },
    ownMoods: {
        method: 'GET',
        route: '/api/v1/moods',
        path: () => '/api/v1/moods?per_page=20',
        verify: (body, ctx) => isList(body) && body.items.every((e) => e.userId === ctx.id),
    },
    inbox: {
        method: 'GET',
        route: '/api/v1/notifications',
        path: () => '/api/v1/notifications?per_page=20',
        verify: (body) => body !== null && Array.isArray(body.notifications),
    },
    me: {
        method: 'GET',
        route: '/api/v1/users/me',
        verify: (body, ctx) => body !== null && body.id === ctx.id,
    },
    hugsReceived: {
        method: 'GET',
        route: '/api/v1/hugs/received',
        path: () => '/api/v1/hugs/received?per_page=20',
        verify: (body, ctx) => isList(body) && body.items.every((h) => h.recipientId === ctx.id),
    },
    hugsSent: {
        method: 'GET',
        route: '/api/v1/hugs/sent',
        path: () => '/api/v1/hugs/sent?per_page=20',
        verify: (body, ctx) => isList(body) && body.items.every((h) => h.senderId === ctx.id),
    },
    friends: {
        method: 'GET',
        route: '/api/v1/friends',
        // The friend is on the first page unless there are more friends than fit.
        verify: (body, ctx) =>
            isList(body) && (body.items.some((u) => u.id === ctx.friend) || body.total > body.items.length),
    },
    postMood: {
        method: 'POST',
        route: '/api/v1/moods',
        expected: 201,
        body: (ctx) => ({
            mood: moodOf(ctx),
            intensity: 1 + (ctx.step % 10),
            note: 'k6 rest-mixed',
            isPublic: ctx.step % 2 === 0,
            tags: ['k6'],
        }),
        verify: (body, ctx) => body !== null && body.userId === ctx.id && body.mood === moodOf(ctx),
    },
    postHug: {
        method: 'POST',
        route: '/api/v1/hugs',
        expected: 201,
        body: (ctx) => ({ recipientId: ctx.friend, hugType: HUG_TYPES[ctx.step % HUG_TYPES.length], message: 'k6 rest-mixed' }),
        verify: (body, ctx) => body !== null && body.recipientId === ctx.friend && body.senderId === ctx.id,
    },
};

/** Makes request `op` as the VU's user `ctx`. */
function run(op, ctx) {
    call(config.base, ctx.token, op.method, op.route, op.path ? op.path(ctx) : op.route, {
        expected: op.expected,
        body: op.body ? op.body(ctx) : undefined,
        verify: (body) => op.verify(body, ctx),
    });
}

// 20 steps: 18 reads, 2 writes, interleaved.
const SCHEDULE = [
    'friendMoods', 'inbox', 'me', 'friendMoods', 'hugsReceived', 'postMood', 'inbox', 'friendMoods', 'friends', 'me',
    'ownMoods', 'inbox', 'friendMoods', 'hugsSent', 'postHug', 'me', 'friendMoods', 'inbox', 'hugsReceived', 'friends',
];

// Each distinct method and route once, for the thresholds and the summary.
const TARGETS = Object.values(OPS)
    .map(({ method, route }) => ({ method, route }))
    .filter((t, i, all) => all.findIndex((u) => u.method === t.method && u.route === t.route) === i);

export const options = {
    scenarios: {
        mixed: { executor: 'constant-vus', vus, duration: `${config.durationSecs}s`, gracefulStop: '10s' },
    },
    thresholds: { ...commonThresholds(config), ...targetThresholds(TARGETS, config.limits) },
    summaryTrendStats: TREND_STATS,
};

export function setup() {
    checkHub(config);
}

export default function () {
    const user = currentUser(config);
    const friends = friendIds(user.index, config);
    const iteration = exec.vu.iterationInScenario;
    // VUs start at different steps, so they do not all write at once.
    const step = iteration + user.index * 7;
    const ctx = { ...user, step, friend: friends[iteration % friends.length] };
    run(OPS[SCHEDULE[step % SCHEDULE.length]], ctx);
    if (config.thinkMs > 0) {
        sleep(config.thinkMs / 1000);
    }
}

export function handleSummary(data) {
    return summarize(`k6 rest-mixed, ${vus} VUs`, data, TARGETS);
}
