/** Time-zone arithmetic with Intl only: wall-clock times in a user's zone ⇄ UTC instants. */

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function partsInZone(date: Date, timeZone: string) {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = makeZoneFormatter(timeZone);
    if (zoneFormatters.size > 500) zoneFormatters.clear();
    zoneFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour, minute: +p.minute, second: +p.second };
}

function makeZoneFormatter(timeZone: string) {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** Offset of the zone from UTC at that instant, in milliseconds. */
export function zoneOffsetMs(date: Date, timeZone: string): number {
  const p = partsInZone(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** "2026-03-01T09:30" or "2026-03-01" read as wall time in `timeZone`; null when not a real date. */
export function wallTimeToUtc(value: string, timeZone: string): Date | null {
  const m = WALL.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1);
  const guess = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(guess);
  if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59) return null;
  // two passes settle the offset across DST changes
  let utc = guess - zoneOffsetMs(new Date(guess), timeZone);
  utc = guess - zoneOffsetMs(new Date(utc), timeZone);
  return new Date(utc);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant as "YYYY-MM-DDTHH:MM" in `timeZone` (for datetime-local inputs). */
export function utcToWallTime(date: Date, timeZone: string): string {
  const p = partsInZone(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The calendar day of the instant in `timeZone`, "YYYY-MM-DD". */
export function dayInZone(date: Date, timeZone: string): string {
  return utcToWallTime(date, timeZone).slice(0, 10);
}

/** Start of the day (00:00 local) that contains `date`, plus `addDays`, as a UTC instant. */
export function startOfDayInZone(date: Date, timeZone: string, addDays = 0): Date {
  const [y, m, d] = dayInZone(date, timeZone).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d + addDays));
  return wallTimeToUtc(day.toISOString().slice(0, 10), timeZone)!;
}

export const DAY_MS = 86_400_000;
