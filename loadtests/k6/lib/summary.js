// The end-of-test summary: one line per route (requests, rate, failures, latency
// percentiles), the run's totals, the script's own counters, and every threshold that
// failed. With SUMMARY_JSON=FILE, k6's whole summary data is also written there.

import { envText } from './env.js';
import { selector } from './api.js';

/** Trend statistics the summary data carries (k6 option `summaryTrendStats`). */
export const TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'];

function ms(value) {
    if (value === undefined) {
        return '-';
    }
    return value >= 100 ? `${value.toFixed(0)}ms` : `${value.toFixed(2)}ms`;
}

function pct(value) {
    return value === undefined ? '-' : `${(value * 100).toFixed(2)}%`;
}

function pad(text, width) {
    const s = String(text);
    return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

function row(cells, widths) {
    return cells.map((cell, i) => pad(cell, widths[i])).join('  ').trimEnd();
}

/** A label for tag set `tags`, its values joined: `GET /api/v1/moods`. */
function label(tags) {
    return Object.keys(tags)
        .map((key) => tags[key])
        .join(' ');
}

/** Threshold expressions that failed, as `metric: expression`. */
function failedThresholds(metrics) {
    const failed = [];
    for (const name of Object.keys(metrics).sort()) {
        const thresholds = metrics[name].thresholds || {};
        for (const expression of Object.keys(thresholds).sort()) {
            if (!thresholds[expression].ok) {
                failed.push(`${name}: ${expression}`);
            }
        }
    }
    return failed;
}

function thresholdCount(metrics) {
    return Object.keys(metrics).reduce((n, name) => n + Object.keys(metrics[name].thresholds || {}).length, 0);
}

/**
 * The summary of `data` (k6's handleSummary argument) for the tag sets `targets`
 * (as given to `targetThresholds`), with `extras` (names of the script's own counters and trends) after the
 * table. Returns handleSummary's answer.
 */
export function summarize(title, data, targets, extras = []) {
    const metrics = data.metrics;
    const secs = data.state.testRunDurationMs / 1000;
    const widths = [34, 8, 9, 8, 9, 9, 9, 9];
    const lines = [
        '',
        `${title}: ${secs.toFixed(1)} s`,
        '',
        row(['route', 'requests', 'req/s', 'failed', 'p50', 'p95', 'p99', 'max'], widths),
    ];
    for (const tags of targets) {
        const sel = selector(tags);
        const duration = metrics[`http_req_duration${sel}`];
        const failed = metrics[`http_req_failed${sel}`];
        const values = duration ? duration.values : {};
        const count = values.count || 0;
        lines.push(
            row(
                [
                    label(tags),
                    count,
                    (count / secs).toFixed(1),
                    pct(failed && failed.values.rate),
                    ms(values.med),
                    ms(values['p(95)']),
                    ms(values['p(99)']),
                    ms(values.max),
                ],
                widths,
            ),
        );
    }
    const all = metrics.http_req_duration ? metrics.http_req_duration.values : {};
    const reqs = metrics.http_reqs ? metrics.http_reqs.values.count : 0;
    lines.push(
        row(
            [
                'all',
                reqs,
                (reqs / secs).toFixed(1),
                pct(metrics.http_req_failed && metrics.http_req_failed.values.rate),
                ms(all.med),
                ms(all['p(95)']),
                ms(all['p(99)']),
                ms(all.max),
            ],
            widths,
        ),
        '',
        `checks passed: ${pct(metrics.checks && metrics.checks.values.rate)}`,
    );
    for (const name of extras) {
        const metric = metrics[name];
        if (metric === undefined) {
            lines.push(`${name}: none`);
        } else if (metric.type === 'rate') {
            lines.push(`${name}: ${pct(metric.values.rate)}`);
        } else if (metric.type === 'trend') {
            const v = metric.values;
            lines.push(`${name}: p50 ${ms(v.med)}, p95 ${ms(v['p(95)'])}, p99 ${ms(v['p(99)'])}, max ${ms(v.max)}`);
        } else {
            lines.push(`${name}: ${metric.values.count}`);
        }
    }
    const failed = failedThresholds(metrics);
    if (failed.length === 0) {
        lines.push(`thresholds: all ${thresholdCount(metrics)} passed`);
    } else {
        lines.push(`thresholds: ${failed.length} of ${thresholdCount(metrics)} FAILED`);
        for (const line of failed) {
            lines.push(`  ${line}`);
        }
    }
    const out = { stdout: `${lines.join('\n')}\n\n` };
    const file = envText('SUMMARY_JSON', '');
    if (file !== '') {
        out[file] = JSON.stringify(data, null, 2);
    }
    return out;
}
