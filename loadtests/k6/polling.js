// Polling clients, as the adaptive-polling guide has them: each VU is a seeded user
// that asks GET /api/v1/notifications and GET /api/v1/events?last_id=… every
// POLL_SECS seconds, sending back the ETag of its previous answer in If-None-Match, so
// the hub answers 304 with no body until something changed. A poll that finds a full
// page of events reads on at once (catching up; those reads are not polls). VUS clients polling every
// POLL_SECS are VUS / POLL_SECS requests a second per route (1,000 VUs every second
// stand for 10,000 clients every 10 s).
//
// Thresholds: failures, checks (200 or 304, a 200 with its ETag), and that most polls
// are answered 304 (`not_modified` rate above MIN_NOT_MODIFIED_PCT, default 90 %).
//
//   k6 run -e TOKENS_FILE=tokens.txt [-e BASE_URL=http://127.0.0.1:8080] \
//       [-e VUS=100] [-e POLL_SECS=10] [-e MIN_NOT_MODIFIED_PCT=90] [-e DURATION=30s] \
//       loadtests/k6/polling.js

import http from 'k6/http';
import { check, sleep } from 'k6';
import { Rate } from 'k6/metrics';
import { headers, json, targetThresholds } from './lib/api.js';
import { checkHub, commonThresholds, currentUser, envVus, loadConfig } from './lib/config.js';
import { envInt } from './lib/env.js';
import { summarize, TREND_STATS } from './lib/summary.js';

const config = loadConfig({ duration: '30s' });
const vus = envVus('VUS', 100);
const pollSecs = envInt('POLL_SECS', 10, 1, 60);
/** Least share of tagged polls answered 304, in percent (a quiet hub: nearly all). */
const minNotModified = envInt('MIN_NOT_MODIFIED_PCT', 90, 0, 100);

const notModified = new Rate('not_modified');

/** Events in a full page of GET /api/v1/events, and the most pages one catch-up reads. */
const EVENTS_PER_PAGE = 50;
const MAX_CATCH_UP_PAGES = 400;

const INBOX = { method: 'GET', route: '/api/v1/notifications' };
const EVENTS = { method: 'GET', route: '/api/v1/events' };
const TARGETS = [INBOX, EVENTS];

export const options = {
    scenarios: {
        polling: { executor: 'constant-vus', vus, duration: `${config.durationSecs}s`, gracefulStop: '5s' },
    },
    thresholds: {
        ...commonThresholds(config),
        ...targetThresholds(TARGETS, config.limits),
        not_modified: [`rate>${minNotModified / 100}`],
    },
    summaryTrendStats: TREND_STATS,
};

export function setup() {
    checkHub(config);
}

// What each VU remembers between polls: the tags, and where its event log stands.
const state = { inbox: null, events: null, lastId: 0, started: false };

/** One conditional GET; answers the response. */
function poll(target, path, user, tag) {
    const params = { headers: headers(user.token), tags: { ...target, name: `GET ${target.route}` } };
    if (tag !== null) {
        params.headers['If-None-Match'] = tag;
    }
    const res = http.get(config.base + path, params);
    check(res, {
        [`GET ${target.route} answers 200 or 304`]: (r) => r.status === 200 || r.status === 304,
        [`GET ${target.route} is tagged`]: (r) => r.headers.Etag !== undefined,
    }, target);
    if (tag !== null) {
        notModified.add(res.status === 304);
    }
    return res;
}

export default function () {
    const user = currentUser(config);
    if (!state.started) {
        // Clients do not all poll in the same second.
        sleep(Math.random() * pollSecs);
        state.started = true;
    }
    const inbox = poll(INBOX, '/api/v1/notifications?per_page=20', user, state.inbox);
    state.inbox = inbox.headers.Etag || null;
    // A full page (50 events) means more are waiting: fetched at once, as a client
    // catching up would, before the next poll.
    let tag = state.events;
    for (let page = 0; page < MAX_CATCH_UP_PAGES; page++) {
        const events = poll(EVENTS, `/api/v1/events?last_id=${state.lastId}`, user, tag);
        state.events = events.headers.Etag || null;
        const body = events.status === 200 ? json(events) : null;
        if (body === null || !Number.isInteger(body.lastId) || body.lastId === state.lastId) {
            break;
        }
        state.lastId = body.lastId;
        if (body.events.length < EVENTS_PER_PAGE) {
            break;
        }
        tag = null;
    }
    sleep(pollSecs);
}

export function handleSummary(data) {
    return summarize(`k6 polling, ${vus} VUs every ${pollSecs} s`, data, TARGETS, ['not_modified']);
}
