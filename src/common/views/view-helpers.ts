import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Handlebars from 'handlebars';
import { escapeMarkup } from './escape';

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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` as escaped HTML with every word that starts with one of `terms` (lower-case search words,
 * matched as prefixes, as the search does) wrapped in <mark>. Each piece is escaped on its own, so
 * no markup in the text survives and no mark lands inside an entity.
 */
export function highlightHtml(text: unknown, terms: unknown): string {
  const value = String(text ?? '');
  const words = Array.isArray(terms) ? terms.filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
  if (!words.length || !value) return escapeMarkup(value);
  const re = new RegExp(`(^|[^\\p{L}\\p{N}])(${words.map(escapeRegExp).join('|')})`, 'giu');
  let out = '';
  let last = 0;
  for (const m of value.matchAll(re)) {
    const start = m.index! + m[1]!.length;
    out += `${escapeMarkup(value.slice(last, start))}<mark>${escapeMarkup(m[2]!)}</mark>`;
    last = start + m[2]!.length;
  }
  return out + escapeMarkup(value.slice(last));
}

/** Whether a search word starts a word of `text` (the same test as highlightHtml). */
export function hasMatch(text: unknown, terms: unknown): boolean {
  return highlightHtml(text, terms).includes('<mark>');
}

/**
 * About 120 characters of `text` around its first match, highlighted; empty when nothing matches.
 * Shows why a contact matched when the words are in its notes or e-mail.
 */
export function snippetHtml(text: unknown, terms: unknown, width = 120, orStart = false): string {
  const value = String(text ?? '').replace(/\s+/g, ' ');
  const html = highlightHtml(value, terms);
  if (!html.includes('<mark>')) return orStart ? escapeMarkup(value.slice(0, width)) + (value.length > width ? '…' : '') : '';
  const words = (terms as string[]).map((t) => t.toLowerCase());
  const lower = value.toLowerCase();
  const at = Math.min(...words.map((w) => lower.indexOf(w)).filter((i) => i >= 0));
  const start = Math.max(0, at - Math.floor(width / 3));
  const piece = value.slice(start, start + width);
  return `${start > 0 ? '…' : ''}${highlightHtml(piece, terms)}${start + width < value.length ? '…' : ''}`;
}

/** Calendar days from today to `value` in the time zone (negative: in the past). */
export function daysFromToday(value: unknown, tz: string, now = new Date()): number | null {
  const d = toDate(value);
  if (!d) return null;
  const day = (x: Date) => {
    const [y, m, dd] = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(x).split('-').map(Number);
    return Date.UTC(y!, m! - 1, dd!) / 86400e3;
  };
  try {
    return day(d) - day(now);
  } catch {
    return null;
  }
}

/** A due day in words, without clock times: "today", "tomorrow", "in 3 days", "2 days overdue". */
export function dueInWords(value: unknown, tz: string, now = new Date()): string {
  const days = daysFromToday(value, tz, now);
  if (days === null) return '';
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday · 1 day overdue';
  if (days < 0) return `${-days} days overdue`;
  if (days < 14) return `in ${days} days`;
  return `in ${Math.round(days / 7)} weeks`;
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
  hbs.registerHelper('highlight', (text: unknown, terms: unknown) => new hbs.SafeString(highlightHtml(text, terms)));
  // {{snippet text terms}}: '' without a match; {{snippet text terms true}}: the text's start instead
  hbs.registerHelper('snippet', (text: unknown, terms: unknown, ...rest: unknown[]) => new hbs.SafeString(snippetHtml(text, terms, 120, rest.length > 1 && rest[0] === true)));
  hbs.registerHelper('dueIn', function (this: unknown, value: unknown, options: HelperOptions) {
    const tz = (options.data?.root?.currentUser?.timezone as string) ?? 'UTC';
    return dueInWords(value, tz);
  });
  hbs.registerHelper('count', (value: unknown) => (Array.isArray(value) ? value.length : value && typeof value === 'object' ? Object.keys(value).length : 0));
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map((a) => String(a ?? '')).join(''));
  hbs.registerHelper('lowercase', (s: unknown) => String(s ?? '').toLowerCase());
  hbs.registerHelper('plural', (n: unknown, one: string, many: string) => (Number(n) === 1 ? one : many));

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
