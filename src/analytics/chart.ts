import { escapeMarkup } from '../common/views/escape';

/**
 * A server-rendered SVG chart of daily views (bars) and unique visitors (line). Colours come from
 * classes styled in app.css (dark mode included); no inline styles, so the strict CSP holds.
 * Each day carries a <title> (native tooltip), and the page shows the same numbers as a table.
 */
export interface DayPoint {
  day: string; // YYYY-MM-DD
  views: number;
  visitors: number;
}

const W = 720;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 40 };


const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function shortDay(day: string): string {
  const [, m, d] = day.split('-').map(Number);
  return `${MONTHS[m! - 1]} ${d}`;
}

/** 0, then a round number at or above `max` with at most 4 steps: 1, 2, 5 × 10^n. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 4) return { top: 4, step: 1 };
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * pow).find((s) => s >= rough)!;
  return { top: Math.ceil(max / step) * step, step };
}

const r = (n: number) => Math.round(n * 10) / 10;

export function renderChart(points: DayPoint[], label: string): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const max = Math.max(0, ...points.map((p) => Math.max(p.views, p.visitors)));
  const { top, step } = niceScale(max);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const slot = plotW / Math.max(points.length, 1);
  const barW = Math.max(1, slot * 0.7);
  const x = (i: number) => PAD.left + slot * i + slot / 2;

  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">`);
  const total = points.reduce((s, p) => s + p.views, 0);
  parts.push(`<title id="chart-title">${escapeMarkup(label)}</title>`);
  parts.push(`<desc id="chart-desc">${total} views over ${points.length} days; the peak day had ${max}. The table below lists every day.</desc>`);
  for (let v = 0; v <= top; v += step) {
    const yy = r(y(v));
    parts.push(`<line class="chart-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="chart-axis" x="${PAD.left - 6}" y="${r(yy + 4)}" text-anchor="end">${v}</text>`);
  }
  const labelEvery = points.length > 45 ? 14 : 7;
  points.forEach((p, i) => {
    const h = (p.views / top) * plotH;
    parts.push(
      `<g class="chart-day"><title>${escapeMarkup(shortDay(p.day))}: ${p.views} view${p.views === 1 ? '' : 's'}, ${p.visitors} visitor${p.visitors === 1 ? '' : 's'}</title>` +
        `<rect class="chart-hit" x="${r(x(i) - slot / 2)}" y="${PAD.top}" width="${r(slot)}" height="${plotH}"/>` +
        (p.views > 0 ? `<rect class="chart-bar" x="${r(x(i) - barW / 2)}" y="${r(y(p.views))}" width="${r(barW)}" height="${r(Math.max(h, 1))}" rx="1"/>` : '') +
        `</g>`,
    );
    if ((points.length - 1 - i) % labelEvery === 0) {
      parts.push(`<text class="chart-axis" x="${r(x(i))}" y="${H - 8}" text-anchor="middle">${escapeMarkup(shortDay(p.day))}</text>`);
    }
  });
  const line = points.map((p, i) => `${r(x(i))},${r(y(p.visitors))}`).join(' ');
  if (points.length) parts.push(`<polyline class="chart-line" points="${line}"/>`);
  parts.push(`<line class="chart-baseline" x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}"/>`);
  parts.push('</svg>');
  return parts.join('');
}
