/** "YYYY-MM-DD" of an instant in a time zone, with one cached formatter per zone (hot path). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      f = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** zone → the day for one UTC minute: zone offsets change on minute boundaries, so this is exact */
const lastDay = new Map<string, { minute: number; day: string }>();

export function dayKey(date: Date, timeZone: string): string {
  const minute = Math.floor(date.getTime() / 60_000);
  const hit = lastDay.get(timeZone);
  if (hit?.minute === minute) return hit.day;
  // en-CA formats dates as YYYY-MM-DD
  const day = formatter(timeZone).format(date);
  if (lastDay.size > 500) lastDay.clear();
  lastDay.set(timeZone, { minute, day });
  return day;
}

/** The `count` calendar days ending with `lastDay` (inclusive), oldest first. */
export function dayRange(lastDay: string, count: number): string[] {
  const [y, m, d] = lastDay.split('-').map(Number);
  const end = Date.UTC(y!, m! - 1, d!);
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}
