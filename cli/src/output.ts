import { Chalk, type ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function colourEnabled(stream: NodeJS.WriteStream = process.stdout, env = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export const c: ChalkInstance = new Chalk({ level: colourEnabled() ? 1 : 0 });
const cErr: ChalkInstance = new Chalk({ level: colourEnabled(process.stderr) ? 1 : 0 });

export const isInteractive = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function success(text: string): void {
  line(`${c.green('✓')} ${text}`);
}

export function errorLine(text: string): void {
  process.stderr.write(`${cErr.red('error:')} ${text}\n`);
}

export function note(text: string): void {
  process.stderr.write(`${cErr.dim(text)}\n`);
}

/** A spinner on stderr when it is a terminal; otherwise one plain line (so logs still say what happened). */
export function spinner(text: string): { update(text: string): void; stop(final?: string): void } {
  if (process.stderr.isTTY && colourEnabled(process.stderr)) {
    const s: Ora = ora({ text, stream: process.stderr }).start();
    return { update: (t) => (s.text = t), stop: (final) => (final ? s.succeed(final) : s.stop()) };
  }
  process.stderr.write(`${text}\n`);
  return { update: () => undefined, stop: (final) => final && process.stderr.write(`${final}\n`) };
}

export function terminalWidth(): number {
  const fromEnv = Number(process.env.COLUMNS);
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  return Number.isFinite(fromEnv) && fromEnv > 20 ? fromEnv : 100;
}

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
export function table<T>(rows: T[], columns: Array<Column<T>>, max = terminalWidth()): string {
  const cells = rows.map((r) => columns.map((col) => (col.value(r) ?? '').replace(/\s+/g, ' ').trim()));
  const widths = columns.map((col, i) => Math.max(width(col.header), ...cells.map((row) => width(row[i]))));
  const gap = 2;
  let total = widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  const flex = columns.map((col, i) => (col.flex ? i : -1)).filter((i) => i >= 0);
  while (total > max && flex.some((i) => widths[i] > 8)) {
    const widest = flex.reduce((a, b) => (widths[b] > widths[a] ? b : a));
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
  const header = render(columns.map((col) => col.header), columns.map(() => c.bold));
  return [header, ...cells.map((row) => render(row, columns.map((col) => col.style)))].join('\n');
}

/** "Label  value" lines for a single record. */
export function details(pairs: Array<[string, string | null | undefined]>): string {
  const shown = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const w = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${c.dim(k.padEnd(w))}  ${v}`).join('\n');
}
