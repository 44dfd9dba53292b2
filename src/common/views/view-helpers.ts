import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Handlebars from 'handlebars';

type HelperOptions = Handlebars.HelperOptions;

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value as string);
  return Number.isNaN(d.getTime()) ? null : d;
}

// Building an Intl formatter costs ~150 µs and native memory; pages format many dates, so keep them.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string, style: 'date' | 'datetime' | 'time'): Intl.DateTimeFormat {
  const key = `${tz}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      style === 'date' ? { dateStyle: 'medium' } : style === 'time' ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' };
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' });
    }
    if (formatters.size > 500) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function formatInZone(value: unknown, tz = 'UTC', style: 'date' | 'datetime' | 'time' = 'datetime'): string {
  const d = toDate(value);
  return d ? formatter(tz, style).format(d) : '';
}

export function relativeTime(value: unknown, now = new Date()): string {
  const d = toDate(value);
  if (!d) return '';
  const diff = d.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 365 * 86400e3],
    ['month', 30 * 86400e3],
    ['week', 7 * 86400e3],
    ['day', 86400e3],
    ['hour', 3600e3],
    ['minute', 60e3],
  ];
  for (const [unit, ms] of units) {
    if (abs >= ms) return rtf.format(Math.round(diff / ms), unit);
  }
  return 'just now';
}

/** Registers the helpers and every partial under views/partials with a Handlebars instance. */
export function registerViewHelpers(hbs: typeof Handlebars, viewsDir: string): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('formatDate', function (this: unknown, value: unknown, options: HelperOptions) {
    const tz = (options.hash?.tz as string) ?? (options.data?.root?.currentUser?.timezone as string) ?? 'UTC';
    return formatInZone(value, tz, (options.hash?.style as 'date' | 'datetime' | 'time') ?? 'datetime');
  });
  hbs.registerHelper('isoDate', (value: unknown) => toDate(value)?.toISOString() ?? '');
  hbs.registerHelper('timeAgo', (value: unknown) => relativeTime(value));
  hbs.registerHelper('fieldError', (errors: Record<string, string> | undefined, field: string) => errors?.[field] ?? '');
  hbs.registerHelper('initials', (name: unknown) =>
    String(name ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((p) => p[0]!.toUpperCase())
      .join(''),
  );
  hbs.registerHelper('year', () => new Date().getUTCFullYear());

  const partialsDir = join(viewsDir, 'partials');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.hbs') ? [p] : [];
    });
  for (const file of walk(partialsDir)) {
    const name = relative(partialsDir, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    hbs.registerPartial(name, readFileSync(file, 'utf8'));
  }
}
