// Hand-drawn SVG charts (no library: three small chart kinds do not earn one). Each
// chart is a <figure> whose SVG is hidden from screen readers and followed by a
// visually hidden table with the same figures.

import { h, svg } from './dom.js';

const W = 320;
const H = 150;
const PAD = { top: 10, right: 8, bottom: 24, left: 30 };

function frame(caption, summary, draw, table) {
  const plot = svg('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', focusable: 'false' });
  draw(plot);
  return h('figure.chart', {},
    h('figcaption', {}, caption),
    summary ? h('p.hint', {}, summary) : null,
    plot,
    table);
}

function axes(plot, yLabels) {
  const bottom = H - PAD.bottom;
  plot.append(
    svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: bottom }),
    svg('line', { class: 'axis', x1: PAD.left, y1: bottom, x2: W - PAD.right, y2: bottom }),
  );
  for (const [value, label] of yLabels) {
    const y = bottom - value * (bottom - PAD.top);
    plot.append(svg('text', { x: PAD.left - 4, y: y + 3, 'text-anchor': 'end' }, label));
  }
}

function dataTable(caption, headers, rows) {
  return h('table.sr-only', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map((x) => h('td', {}, x))))));
}

const pct = (v) => `${Math.round(v * 100)}%`;

/**
 * Bars of a value in [0, 1] per category (mood by weekday, by hour): `rows` are
 * `{label, value, entries}`; a category without entries draws an empty stub.
 */
export function barChart(caption, rows, { summary, every = 1 } = {}) {
  const inner = W - PAD.left - PAD.right;
  const step = inner / Math.max(rows.length, 1);
  const bottom = H - PAD.bottom;
  return frame(caption, summary, (plot) => {
    axes(plot, [[0, '0'], [0.5, '.5'], [1, '1']]);
    rows.forEach((row, i) => {
      const x = PAD.left + i * step + step * 0.15;
      const empty = !row.entries;
      const height = empty ? 2 : Math.max(2, row.value * (bottom - PAD.top));
      plot.append(svg('rect', {
        class: empty ? 'bar empty' : 'bar', x, y: bottom - height, width: step * 0.7, height, rx: 2,
      }));
      if (i % every === 0) {
        plot.append(svg('text', { x: x + step * 0.35, y: H - 8, 'text-anchor': 'middle' }, row.label));
      }
    });
  }, dataTable(caption, ['When', 'Average mood', 'Entries'],
    rows.map((r) => [r.label, r.entries ? pct(r.value) : '—', String(r.entries || 0)])));
}

/** A line of values in [0, 1] over time: `points` are `{at (ms), value}`, oldest first. */
export function lineChart(caption, points, { summary } = {}) {
  const inner = W - PAD.left - PAD.right;
  const bottom = H - PAD.bottom;
  const first = points.length ? points[0].at : 0;
  const span = points.length > 1 ? points[points.length - 1].at - first : 1;
  const xy = (p) => [
    PAD.left + ((p.at - first) / (span || 1)) * inner,
    bottom - p.value * (bottom - PAD.top),
  ];
  return frame(caption, summary, (plot) => {
    axes(plot, [[0, '0'], [0.5, '.5'], [1, '1']]);
    if (points.length > 1) {
      const d = points.map((p, i) => `${i ? 'L' : 'M'}${xy(p).map((n) => n.toFixed(1)).join(' ')}`).join(' ');
      plot.append(svg('path', { class: 'line', d }));
    }
    for (const p of points) {
      const [cx, cy] = xy(p);
      plot.append(svg('circle', { class: 'point', cx, cy, r: 3 }));
    }
    if (points.length) {
      const fmt = (ms) => new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
      plot.append(
        svg('text', { x: PAD.left, y: H - 8 }, fmt(first)),
        svg('text', { x: W - PAD.right, y: H - 8, 'text-anchor': 'end' }, fmt(points[points.length - 1].at)),
      );
    }
  }, dataTable(caption, ['Time', 'Mood (valence)'],
    points.map((p) => [new Date(p.at).toLocaleString(), pct(p.value)])));
}

/** Horizontal bars of shares (mood frequency): `rows` are `{label, share, count}`. */
export function shareChart(caption, rows) {
  const rowH = 18;
  const height = Math.max(rowH * rows.length + 4, 24);
  const plot = svg('svg', { viewBox: `0 0 ${W} ${height}`, 'aria-hidden': 'true', focusable: 'false' });
  rows.forEach((row, i) => {
    const y = 2 + i * rowH;
    plot.append(
      svg('text', { x: 0, y: y + 12 }, row.label),
      svg('rect', { class: 'bar', x: 90, y: y + 2, width: Math.max(2, row.share * (W - 140)), height: rowH - 6, rx: 2 }),
      svg('text', { x: W - 4, y: y + 12, 'text-anchor': 'end' }, pct(row.share)),
    );
  });
  return h('figure.chart', {}, h('figcaption', {}, caption), plot,
    dataTable(caption, ['Mood', 'Share', 'Entries'], rows.map((r) => [r.label, pct(r.share), String(r.count)])));
}
