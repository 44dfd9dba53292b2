import { niceScale } from '../analytics/chart';
import { escapeMarkup } from '../common/views/escape';

export interface Bar {
  label: string;
  value: number;
}

const W = 720;
const H = 200;
const PAD = { top: 12, right: 12, bottom: 28, left: 48 };

/**
 * A server-rendered SVG bar chart (the admin's metrics), styled by app.css classes like the
 * analytics chart, with a <title> per bar; pages show the same numbers as a table.
 */
export function renderBars(bars: Bar[], label: string): string {
  const max = bars.reduce((m, b) => Math.max(m, b.value), 0);
  const { top, step } = niceScale(max);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, bars.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + innerH - (top ? (v / top) * innerH : 0);
  const grid: string[] = [];
  for (let v = 0; v <= top; v += step) {
    grid.push(`<line class="chart-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    grid.push(`<text class="chart-axis" x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toFixed(2))}</text>`);
  }
  const every = Math.ceil(bars.length / 8);
  const rects = bars.map((b, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const h = PAD.top + innerH - y(b.value);
    const text = i % every === 0 ? `<text class="chart-axis" x="${(x + barW / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escapeMarkup(b.label)}</text>` : '';
    return `<g><title>${escapeMarkup(`${b.label}: ${b.value}`)}</title><rect class="chart-bar" x="${x.toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, h).toFixed(1)}"/></g>${text}`;
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeMarkup(label)}" preserveAspectRatio="xMidYMid meet">${grid.join('')}${rects.join('')}</svg>`;
}
