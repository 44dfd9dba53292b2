import { Chalk, type ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';
import { renderTable, type Column } from './table.js';

export type { Column };

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

/** A table that fits the terminal, with a bold header. */
export function table<T>(rows: T[], columns: Array<Column<T>>, max = terminalWidth()): string {
  return renderTable(rows, columns, max, c.bold);
}

/** "Label  value" lines for a single record. */
export function details(pairs: Array<[string, string | null | undefined]>): string {
  const shown = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const w = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${c.dim(k.padEnd(w))}  ${v}`).join('\n');
}
