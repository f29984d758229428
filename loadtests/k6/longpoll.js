// Long-poll receivers while hugs are sent to them. RECEIVERS VUs are seeded users
// 1…RECEIVERS (token i for receiver i); each first catches up on its event log
// (GET /api/v1/events?last_id=…, 50 events a page) and then long-polls in a loop
// (GET /api/v1/events?long_poll=true&timeout=POLL_TIMEOUT&last_id=…), following
// `lastId`. Meanwhile HUG_RATE hugs a second go to the receivers in turn, each from
// one of the receiver's seeded friends in turn, with a message that names this run
// and the time it was sent, so a receiver counts the run's hugs it gets and how long
// each took from POST to the long-poll's answer.
//
// Thresholds: failures of the polls and of the POSTs; at least one of the run's hugs
// received (`hugs_received` count>0); event ids strictly increasing (checks);
// catch-up pages, POSTs and delivery under the latency limits.
//
//   k6 run -e TOKENS_FILE=tokens.txt [-e BASE_URL=http://127.0.0.1:8080] \
//       [-e RECEIVERS=5] [-e HUG_RATE=5] [-e POLL_TIMEOUT=5] [-e DURATION=30s] \
//       loadtests/k6/longpoll.js
//
// A receiver's friends each send it HUG_RATE / (RECEIVERS × 2 × RING_FRIENDS) hugs a
// second, but a user is the friend of several receivers: above a few hugs a second,
// run the hub with a roomy HUGMOOD_HUG_RATE_PER_MINUTE.

import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { call, json, query, targetThresholds } from './lib/api.js';
import { checkHub, commonThresholds, envVus, loadConfig } from './lib/config.js';
import { envInt } from './lib/env.js';
import { friendsOf } from './lib/tokens.js';
import { summarize, TREND_STATS } from './lib/summary.js';

const pollTimeout = envInt('POLL_TIMEOUT', 5, 1, 60);
// Receivers may poll for one timeout past DURATION.
const config = loadConfig({ duration: '30s', extraSecs: pollTimeout + 15 });
const receivers = Math.min(envVus('RECEIVERS', 5), config.users.length);
const hugRate = envInt('HUG_RATE', 5, 1, 1000);
if (config.durationSecs < 5) {
    throw new Error(`DURATION=${config.durationSecs}s: a long-poll run needs at least 5 s`);
}
/** Most catch-up pages: the hub keeps at most 10,000 events per user, 50 a page. */
const MAX_CATCH_UP_PAGES = 400;

const hugsSent = new Counter('hugs_sent');
const hugsReceived = new Counter('hugs_received');
const hugDelivery = new Trend('hug_delivery', true);

const EVENTS = '/api/v1/events';
const CATCH_UP = { method: 'GET', route: EVENTS, poll: 'catch-up' };
const LONG_POLL = { method: 'GET', route: EVENTS, poll: 'long' };
const SEND = { method: 'POST', route: '/api/v1/hugs' };
const TARGETS = [CATCH_UP, LONG_POLL, SEND];

export const options = {
    scenarios: {
        receivers: {
            executor: 'per-vu-iterations',
            exec: 'receive',
            vus: receivers,
            iterations: 1,
            maxDuration: `${config.durationSecs + pollTimeout + 10}s`,
            gracefulStop: '5s',
        },
        senders: {
            executor: 'constant-arrival-rate',
            exec: 'send',
            rate: hugRate,
            timeUnit: '1s',
            // Start once the receivers wait, end early enough for the last hugs to arrive.
            startTime: '1s',
            duration: `${config.durationSecs - 3}s`,
            preAllocatedVUs: Math.min(hugRate, 20),
            maxVUs: Math.min(hugRate * 4, 200),
            gracefulStop: '5s',
        },
    },
    thresholds: {
        ...commonThresholds(config),
        ...targetThresholds([CATCH_UP, SEND], config.limits),
        ...targetThresholds([LONG_POLL], config.limits, { latency: false }),
        hugs_received: ['count>0'],
        hug_delivery: [`p(95)<${config.limits.p95}`, `p(99)<${config.limits.p99}`],
    },
    summaryTrendStats: TREND_STATS,
};

export function setup() {
    checkHub(config);
    // The tag of this run's hugs, so hugs of earlier runs still in the logs don't count.
    return { run: `k6:${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}` };
}

/** `GET /api/v1/events` after `lastId`; the answer's events (checked in order) and `lastId`. */
function poll(user, lastId, longPoll) {
    const params = longPoll ? { long_poll: true, timeout: pollTimeout, last_id: lastId } : { last_id: lastId };
    const res = call(config.base, user.token, 'GET', EVENTS, `${EVENTS}${query(params)}`, {
        tags: { poll: longPoll ? 'long' : 'catch-up' },
        timeout: `${pollTimeout + 10}s`,
    });
    const body = res.status === 200 ? json(res) : null;
    if (body === null || !Array.isArray(body.events)) {
        return { events: [], lastId };
    }
    let previous = lastId;
    const ordered = body.events.every((e) => {
        const ok = Number(e.id) > previous;
        previous = Number(e.id);
        return ok;
    });
    check(body, { 'event ids increase past last_id': () => ordered && Number(body.lastId) >= lastId });
    return { events: body.events, lastId: Number(body.lastId) };
}

/** Counts the events that are this run's hugs, with their delivery time. */
function count(events, run) {
    const prefix = `${run}:`;
    for (const event of events) {
        const message = event.type === 'hug_received' && event.data ? event.data.message : null;
        if (typeof message === 'string' && message.startsWith(prefix)) {
            hugsReceived.add(1);
            hugDelivery.add(Date.now() - Number(message.slice(prefix.length)));
        }
    }
}

export function receive(data) {
    const index = exec.scenario.iterationInTest % config.users.length;
    const user = config.users[index];
    const deadline = Date.now() + config.durationSecs * 1000;
    let lastId = 0;
    for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
        const answer = poll(user, lastId, false);
        count(answer.events, data.run);
        lastId = answer.lastId;
        if (answer.events.length < 50) {
            break;
        }
    }
    while (Date.now() < deadline) {
        const answer = poll(user, lastId, true);
        count(answer.events, data.run);
        lastId = answer.lastId;
    }
}

export function send(data) {
    const n = exec.scenario.iterationInTest;
    const recipient = n % receivers;
    const friends = friendsOf(recipient, config.users.length, config.ringFriends);
    const sender = config.users[friends[Math.floor(n / receivers) % friends.length]];
    const recipientId = config.users[recipient].id;
    const res = call(config.base, sender.token, 'POST', '/api/v1/hugs', '/api/v1/hugs', {
        expected: 201,
        body: { recipientId, hugType: 'warm', message: `${data.run}:${Date.now()}` },
        verify: (body) => body !== null && body.recipientId === recipientId,
    });
    if (res.status === 201) {
        hugsSent.add(1);
    }
}

export function handleSummary(data) {
    return summarize(`k6 longpoll, ${receivers} receivers, ${hugRate} hugs/s`, data, TARGETS, [
        'hugs_sent',
        'hugs_received',
        'hug_delivery',
    ]);
}
