// GraphQL over POST /graphql, as a client of the app uses it: reads (the caller's
// profile, a friend's mood entries with their authors, hugs received with their
// senders, the inbox, the friend list, the streak) and, one request in ten, a mutation
// (`createMoodEntry`, `sendHug` to a friend). Every VU is one seeded user (VU i uses
// token i mod N) and runs a fixed 20-step schedule. A request passes when it answers
// 200 with no `errors` and its field's data; thresholds: failures and p(95)/p(99)
// latency per operation, checks and GraphQL errors overall.
//
//   k6 run -e TOKENS_FILE=tokens.txt [-e BASE_URL=http://127.0.0.1:8080] \
//       [-e VUS=5] [-e DURATION=30s] [-e THINK_MS=0] [-e P95_MS=500] [-e P99_MS=1000] \
//       loadtests/k6/graphql.js
//
// As with rest-mixed.js, run the hub with roomy mood and hug limits.

import { sleep } from 'k6';
import exec from 'k6/execution';
import { Rate } from 'k6/metrics';
import { call, targetThresholds } from './lib/api.js';
import { checkHub, commonThresholds, currentUser, envVus, friendIds, loadConfig } from './lib/config.js';
import { summarize, TREND_STATS } from './lib/summary.js';

const config = loadConfig({ duration: '30s' });
const vus = envVus('VUS', 5);

/** Answers that carried `errors` (or no data for the field). */
const graphqlErrors = new Rate('graphql_errors');

// Each operation's document; `field` is the root field whose data must be there.
const OPS = {
    Me: {
        field: 'me',
        query: 'query Me { me { id username displayName online email } }',
        verify: (data, ctx) => data.id === ctx.id,
    },
    FriendMoods: {
        field: 'moodEntries',
        query: `query FriendMoods($userId: ID!) {
            moodEntries(userId: $userId, limit: 20) { id mood intensity isPublic createdAt user { id username } }
        }`,
        variables: (ctx) => ({ userId: ctx.friend }),
        verify: (data, ctx) => data.every((e) => e.user === null || e.user.id === ctx.friend),
    },
    HugsReceived: {
        field: 'hugsReceived',
        query: 'query HugsReceived { hugsReceived(limit: 20) { id hugType message sentAt status sender { id username } } }',
        verify: (data) => Array.isArray(data),
    },
    Inbox: {
        field: 'notifications',
        query: 'query Inbox { notifications(limit: 20) { id type title isRead createdAt } }',
        verify: (data) => Array.isArray(data),
    },
    Friends: {
        field: 'friends',
        query: 'query Friends { friends(limit: 100) { id username online } }',
        // The friend is among the first 100 unless there are more.
        verify: (data, ctx) => data.some((u) => u.id === ctx.friend) || data.length === 100,
    },
    Streak: {
        field: 'moodStreak',
        query: 'query Streak { moodStreak { current longest lastEntryDate } }',
        verify: (data) => typeof data.current === 'number',
    },
    CreateMood: {
        field: 'createMoodEntry',
        query: `mutation CreateMood($input: MoodEntryInput!) {
            createMoodEntry(input: $input) { id userId mood intensity }
        }`,
        variables: (ctx) => ({
            input: { mood: 'calm', intensity: 1 + (ctx.step % 10), note: 'k6 graphql', isPublic: ctx.step % 2 === 0, tags: ['k6'] },
        }),
        verify: (data, ctx) => data.userId === ctx.id && data.mood === 'calm',
    },
    SendHug: {
        field: 'sendHug',
        query: `mutation SendHug($input: SendHugInput!) {
            sendHug(input: $input) { id senderId recipientId hugType status }
        }`,
        variables: (ctx) => ({ input: { recipientId: ctx.friend, hugType: 'warm', message: 'k6 graphql' } }),
        verify: (data, ctx) => data.recipientId === ctx.friend && data.senderId === ctx.id,
    },
};

// 20 steps: 18 queries, 2 mutations, interleaved.
const SCHEDULE = [
    'FriendMoods', 'Inbox', 'Me', 'HugsReceived', 'FriendMoods', 'CreateMood', 'Inbox', 'Friends', 'Me', 'FriendMoods',
    'Streak', 'Inbox', 'HugsReceived', 'SendHug', 'Me', 'FriendMoods', 'Inbox', 'Friends', 'HugsReceived', 'Me',
];

const TARGETS = Object.keys(OPS).map((op) => ({ method: 'POST', route: '/graphql', op }));

export const options = {
    scenarios: {
        graphql: { executor: 'constant-vus', vus, duration: `${config.durationSecs}s`, gracefulStop: '10s' },
    },
    thresholds: {
        ...commonThresholds(config),
        ...targetThresholds(TARGETS, config.limits),
        graphql_errors: [`rate<${config.limits.maxFailed}`],
    },
    summaryTrendStats: TREND_STATS,
};

export function setup() {
    checkHub(config);
}

/** Runs operation `op` as the VU's user; its data must pass the operation's check. */
function run(op, ctx) {
    const spec = OPS[op];
    const body = { query: spec.query, operationName: op, variables: spec.variables ? spec.variables(ctx) : {} };
    let failed = true;
    call(config.base, ctx.token, 'POST', '/graphql', '/graphql', {
        body,
        tags: { op, name: `POST /graphql ${op}` },
        verify: (answer) => {
            const data = answer !== null && answer.data ? answer.data[spec.field] : null;
            failed = answer === null || answer.errors !== undefined || data === null || data === undefined;
            return !failed && spec.verify(data, ctx);
        },
    });
    graphqlErrors.add(failed, { op });
}

export default function () {
    const user = currentUser(config);
    const friends = friendIds(user.index, config);
    const iteration = exec.vu.iterationInScenario;
    const step = iteration + user.index * 7;
    run(SCHEDULE[step % SCHEDULE.length], { ...user, step, friend: friends[iteration % friends.length] });
    if (config.thinkMs > 0) {
        sleep(config.thinkMs / 1000);
    }
}

export function handleSummary(data) {
    return summarize(`k6 graphql, ${vus} VUs`, data, TARGETS, ['graphql_errors']);
}
