// Mood analytics as charts: mood by weekday and by hour, the trend line of the
// period's entries, the mood mix, the streak and the hub's insight sentences.

import { api, query } from '../api.js';
import { barChart, lineChart, shareChart } from '../charts.js';
import { append, clear, h, messageOf } from '../dom.js';
import { MOOD_EMOJI } from '../state.js';

const RANGES = [
  ['week', 'Last 7 days', 7], ['month', 'Last 30 days', 30], ['three_months', 'Last 3 months', 90],
  ['six_months', 'Last 6 months', 180], ['year', 'Last year', 365],
];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const TREND = { IMPROVING: 'Improving ↗', DECLINING: 'Declining ↘', STABLE: 'Stable →' };
const LINE_ENTRIES = 100;

function stat(label, value) {
  return h('div.stat', {}, h('span.muted', {}, label), h('b', {}, value));
}

/** The period's entries, oldest first, for the trend line (at most the newest 100). */
async function entries(me, days) {
  const start = new Date(Date.now() - days * 86400000).toISOString();
  const page = await api(`moods${query({ user_id: me.id, start_date: start, per_page: LINE_ENTRIES })}`);
  return page.items.map((e) => ({ at: Date.parse(e.createdAt), value: e.valence })).reverse();
}

export function analyticsView({ me }) {
  const range = h('select', { id: 'analytics-range' },
    RANGES.map(([value, label]) => h('option', { value, selected: value === 'month' }, label)));
  const body = h('div', { 'aria-live': 'polite' });

  const load = async () => {
    const [key, , days] = RANGES.find(([value]) => value === range.value);
    clear(body).append(h('p.loading', {}, 'Loading…'));
    try {
      const [a, streak, points] = await Promise.all([
        api(`moods/analytics${query({ time_range: key })}`),
        api('moods/streak'),
        entries(me, days),
      ]);
      const byDay = a.moodByDayOfWeek.map((r, i) => ({ label: DAYS[i] || r.day.slice(0, 3), value: r.averageMood, entries: r.entries }));
      const byHour = a.moodByTimeOfDay.map((r) => ({ label: String(r.hour), value: r.averageMood, entries: r.entries }));
      const total = a.moodFrequency.reduce((n, m) => n + m.count, 0);
      append(clear(body), [
        h('div.stats', {},
          stat('Current streak', `${streak.current} day${streak.current === 1 ? '' : 's'}`),
          stat('Longest streak', `${streak.longest} day${streak.longest === 1 ? '' : 's'}`),
          stat('Check-ins', String(total)),
          stat('Average mood', total ? `${Math.round(a.averageMood * 100)}%` : '—'),
          stat('Most often', a.dominantMood ? `${MOOD_EMOJI[a.dominantMood] || ''} ${a.dominantMood}` : '—'),
          stat('Trend', TREND[a.moodTrend] || a.moodTrend)),
        total ? null : h('p', {}, 'No check-ins in this period yet. ', h('a', { href: '#/' }, 'Check in'), ' to see your charts.'),
        h('div.grid', {},
          h('div.card', {}, lineChart('Trend', points, { summary: `Mood (valence) of each check-in; the trend is ${String(a.moodTrend).toLowerCase()}.` })),
          h('div.card', {}, barChart('Mood by weekday', byDay, { summary: 'Average mood (valence) per day of the week.' })),
          h('div.card', {}, barChart('Mood by hour of day', byHour, { summary: 'Average mood per hour (UTC).', every: 3 })),
          h('div.card', {}, shareChart('Mood mix', a.moodFrequency.map((m) => ({ label: m.mood, share: m.percentage, count: m.count }))))),
        h('section.card', { 'aria-labelledby': 'insights-title' },
          h('h2', { id: 'insights-title' }, 'Insights'),
          a.insights.length ? h('ul', {}, a.insights.map((s) => h('li', {}, s))) : h('p.muted', {}, 'Insights appear after a few check-ins.'))]);
    } catch (err) {
      clear(body).append(h('p.form-error', { role: 'alert' }, messageOf(err)));
    }
  };
  range.addEventListener('change', load);
  const el = h('div', {},
    h('div.card', {},
      h('div.item-head', {}, h('h1', {}, 'Your mood analytics'),
        h('div.field', {}, h('label', { htmlFor: 'analytics-range' }, 'Period'), range))),
    body);
  return { el, load };
}
