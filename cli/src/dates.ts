import { UsageError } from './errors.js';

/**
 * Natural dates, read in the account's time zone: `today`, `tomorrow`, `yesterday`, weekday names
 * (`friday`, `next fri`: the next one after today), `in 2 weeks`, `3 days ago`, ISO dates and times,
 * each optionally followed by a time (`tomorrow 14:30`, `friday at 3pm`). A day without a time is
 * 09:00 there.
 */
export interface ParsedWhen {
  /** the instant, as ISO 8601 */
  iso: string;
  /** the day in the time zone, YYYY-MM-DD */
  date: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const UNITS: Record<string, 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'> = {
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', wk: 'week', wks: 'week', week: 'week', weeks: 'week',
  mo: 'month', month: 'month', months: 'month',
  y: 'year', yr: 'year', year: 'year', years: 'year',
};
const DEFAULT_HOUR = 9;

interface Wall {
  y: number;
  mo: number; // 1-12
  d: number;
  h: number;
  mi: number;
}

/** The wall-clock time of an instant in a time zone. */
export function wallClock(at: Date, timeZone: string): Wall & { weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'long' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { y: +parts.year, mo: +parts.month, d: +parts.day, h: +parts.hour % 24, mi: +parts.minute, weekday: WEEKDAYS.indexOf(parts.weekday.toLowerCase()) };
}

/** The instant at which the wall clock in `timeZone` shows `w` (the later one in a DST gap's shadow). */
export function fromWallClock(w: Wall, timeZone: string): Date {
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const seen = wallClock(new Date(guess), timeZone);
    const offset = Date.UTC(seen.y, seen.mo - 1, seen.d, seen.h, seen.mi) - guess;
    const next = asUtc - offset;
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

/** Calendar arithmetic on a wall date (month ends clamp: Jan 31 + 1 month = Feb 28/29). */
function addToDate(w: Wall, n: number, unit: 'day' | 'week' | 'month' | 'year'): Wall {
  if (unit === 'day' || unit === 'week') {
    const t = new Date(Date.UTC(w.y, w.mo - 1, w.d + n * (unit === 'week' ? 7 : 1)));
    return { ...w, y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate() };
  }
  const months = w.y * 12 + (w.mo - 1) + n * (unit === 'year' ? 12 : 1);
  const y = Math.floor(months / 12);
  const mo = (months % 12) + 1;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { ...w, y, mo, d: Math.min(w.d, last) };
}

function parseTime(text: string): { h: number; mi: number } | null {
  const m = /^(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(text.trim());
  if (!m) return null;
  let h = Number(m[1]);
  const mi = m[2] ? Number(m[2]) : 0;
  if (!m[2] && !m[3]) return null; // a bare number is not a time
  if (m[3]) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (m[3] === 'pm' ? 12 : 0);
  }
  return h <= 23 && mi <= 59 ? { h, mi } : null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const result = (at: Date, timeZone: string): ParsedWhen => {
  const w = wallClock(at, timeZone);
  return { iso: at.toISOString(), date: `${w.y}-${pad(w.mo)}-${pad(w.d)}` };
};

export function parseWhen(input: string, timeZone: string, now = new Date()): ParsedWhen {
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!text) throw new UsageError('Give a date, e.g. tomorrow, friday, "in 2 weeks" or 2026-03-01.');

  // ISO with an explicit zone: taken as is
  if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const at = new Date(input.trim());
    if (!Number.isNaN(at.getTime())) return result(at, timeZone);
  }
  // ISO date, optionally with a wall time in the account's zone
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2}))?$/.exec(text);
  if (iso) {
    const w: Wall = { y: +iso[1], mo: +iso[2], d: +iso[3], h: iso[4] ? +iso[4] : DEFAULT_HOUR, mi: iso[5] ? +iso[5] : 0 };
    const check = new Date(Date.UTC(w.y, w.mo - 1, w.d));
    if (check.getUTCMonth() + 1 !== w.mo || check.getUTCDate() !== w.d || w.h > 23 || w.mi > 59) throw new UsageError(`Not a date: ${input}`);
    return result(fromWallClock(w, timeZone), timeZone);
  }

  const today = wallClock(now, timeZone);
  const relative = /^(?:in )?(\d+|an?|one) ?([a-z]+)(?: (ago))?$/.exec(text);
  if (relative && UNITS[relative[2]] && (text.startsWith('in ') || relative[3] || /^\d+ ?[a-z]+$/.test(text))) {
    const n = (/^\d+$/.test(relative[1]) ? Number(relative[1]) : 1) * (relative[3] ? -1 : 1);
    const unit = UNITS[relative[2]];
    if (unit === 'minute' || unit === 'hour') return result(new Date(now.getTime() + n * (unit === 'hour' ? 3600_000 : 60_000)), timeZone);
    const day = addToDate({ ...today, h: DEFAULT_HOUR, mi: 0 }, n, unit);
    return result(fromWallClock(day, timeZone), timeZone);
  }

  // a day word, then maybe a time
  const m = /^(today|tomorrow|tmrw|yesterday|(?:next )?(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*)(?: (.+))?$/.exec(text);
  if (m) {
    let day: Wall;
    const word = m[1].replace(/^next /, '');
    if (word === 'today') day = { ...today };
    else if (word === 'tomorrow' || word === 'tmrw') day = addToDate(today, 1, 'day');
    else if (word === 'yesterday') day = addToDate(today, -1, 'day');
    else {
      const target = WEEKDAYS.findIndex((d) => d.startsWith(word.slice(0, 3)) && d.startsWith(word));
      if (target < 0) throw new UsageError(`Not a date: ${input}`);
      const ahead = ((target - today.weekday + 7) % 7) || 7;
      day = addToDate(today, ahead, 'day');
    }
    const time = m[2] ? parseTime(m[2]) : { h: DEFAULT_HOUR, mi: 0 };
    if (!time) throw new UsageError(`Not a time: ${m[2]} (use 14:30 or 3pm)`);
    return result(fromWallClock({ ...day, ...time }, timeZone), timeZone);
  }
  throw new UsageError(`Not a date: ${input}. Try tomorrow, friday, "in 2 weeks", "3 days ago" or 2026-03-01.`);
}
