// Plain text tables (no colour library here: unit-tested from source).

const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const width = (s: string) => [...visible(s)].length;

function truncate(s: string, max: number): string {
  if (width(s) <= max) return s;
  const plain = [...visible(s)];
  return max <= 1 ? plain.slice(0, max).join('') : `${plain.slice(0, max - 1).join('')}…`;
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** shrinks first when the table is wider than the terminal */
  flex?: boolean;
  style?: (text: string) => string;
}

/** A plain table that fits the terminal: flexible columns are cut with "…" until it fits. */
export function renderTable<T>(rows: T[], columns: Array<Column<T>>, max: number, headerStyle: (s: string) => string = (s) => s): string {
  const cells = rows.map((r) => columns.map((col) => (col.value(r) ?? '').replace(/\s+/g, ' ').trim()));
  const widths = columns.map((col, i) => Math.max(width(col.header), ...cells.map((row) => width(row[i]))));
  const gap = 2;
  let total = widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  const flex = columns.map((col, i) => (col.flex ? i : -1)).filter((i) => i >= 0);
  // a flexible column keeps at least its header's width
  const least = columns.map((col) => Math.max(3, width(col.header)));
  for (;;) {
    const shrinkable = flex.filter((i) => widths[i] > least[i]);
    if (total <= max || !shrinkable.length) break;
    const widest = shrinkable.reduce((a, b) => (widths[b] > widths[a] ? b : a));
    widths[widest]--;
    total--;
  }
  const render = (values: string[], styles: Array<((s: string) => string) | undefined>) =>
    values
      .map((v, i) => {
        const cut = truncate(v, widths[i]);
        const padded = i === values.length - 1 ? cut : cut + ' '.repeat(widths[i] - width(cut));
        return styles[i] ? styles[i]!(padded) : padded;
      })
      .join(' '.repeat(gap))
      .trimEnd();
  const header = render(columns.map((col) => col.header), columns.map(() => headerStyle));
  return [header, ...cells.map((row) => render(row, columns.map((col) => col.style)))].join('\n');
}

