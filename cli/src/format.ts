import { InvalidArgumentError } from 'commander';

/** Relative times for tables ("3 days ago", "in 2 h"); exact ISO times stay in --json. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  const units: Array<[number, string]> = [
    [365 * 86400_000, 'y'],
    [30 * 86400_000, 'mo'],
    [7 * 86400_000, 'w'],
    [86400_000, 'd'],
    [3600_000, 'h'],
    [60_000, 'min'],
  ];
  for (const [ms, unit] of units) {
    if (abs >= ms) {
      const n = Math.floor(abs / ms);
      return diff < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return 'just now';
}

/** A time in the account's zone, e.g. "Fri 5 Dec 2026, 09:00". */
export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** An option parser for whole numbers: a bad value is a usage error (exit 2). */
export function positiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

/** Repeatable options (--tag a --tag b). */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function nonNegativeInt(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(value);
}
