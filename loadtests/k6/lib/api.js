// Requests to the hub, each tagged with its `route` (the route template, e.g.
// /api/v1/moods, or an operation's name), so that thresholds and the summary are per
// route, and each checked for the status it must answer.

import http from 'k6/http';
import { check } from 'k6';

/** Request headers for `token` (and a JSON body). */
export function headers(token) {
    return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
}

/**
 * `method` `path` (under `base`) as `token`, tagged `route` (and `tags`); checks that
 * the answer is `expected` and, when given, that `verify(json body)` holds for it.
 * `body` is sent as JSON when given. Returns the response.
 */
export function call(base, token, method, route, path, { body, expected = 200, timeout, verify, tags: more } = {}) {
    const tags = { route, name: `${method} ${route}`, ...more };
    const what = tags.name;
    const params = { headers: headers(token), tags, responseType: 'text' };
    if (timeout !== undefined) {
        params.timeout = timeout;
    }
    const res = http.request(method, base + path, body === undefined ? null : JSON.stringify(body), params);
    const checks = { [`${what} answers ${expected}`]: (r) => r.status === expected };
    if (verify !== undefined) {
        checks[`${what} answers the right body`] = (r) => r.status === expected && verify(json(r));
    }
    check(res, checks, tags);
    return res;
}

/** The response's JSON body, or `null` when it has none or it is not JSON. */
export function json(res) {
    try {
        return res.json();
    } catch (_) {
        return null;
    }
}

/** Query string of `params` (values URL-encoded), with its leading `?`. */
export function query(params) {
    const parts = Object.keys(params)
        .filter((key) => params[key] !== undefined)
        .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(params[key]))}`);
    return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The sub-metric selector of `tags`, e.g. `{method:GET,route:/api/v1/moods}`. */
export function selector(tags) {
    return `{${Object.keys(tags)
        .map((key) => `${key}:${tags[key]}`)
        .join(',')}}`;
}

/**
 * Thresholds for each of `targets` (tag sets, e.g. `{ method: 'GET', route: '/api/v1/moods' }`):
 * failures below `maxFailed`, at least one request, and unless `latency` is false
 * (requests that wait on purpose), p(95) and p(99) latency below `p95` and `p99` ms.
 */
export function targetThresholds(targets, { maxFailed, p95, p99 }, { latency = true } = {}) {
    const thresholds = {};
    for (const tags of targets) {
        const sel = selector(tags);
        // Without a latency limit the sub-metric is still named, for the summary.
        thresholds[`http_req_duration${sel}`] = latency ? [`p(95)<${p95}`, `p(99)<${p99}`] : [];
        thresholds[`http_req_failed${sel}`] = [`rate<${maxFailed}`];
        thresholds[`http_reqs${sel}`] = ['count>0'];
    }
    return thresholds;
}
