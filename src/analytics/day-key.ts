import { dayInZone } from '../common/time';

/** zone → the day for one UTC minute: zone offsets change on minute boundaries, so this is exact */
const lastDay = new Map<string, { minute: number; day: string }>();

/**
 * "YYYY-MM-DD" of an instant in a time zone (src/common/time's dayInZone), memoised per zone for
 * the current minute because every counted view asks; an unknown zone counts as UTC.
 */
export function dayKey(date: Date, timeZone: string): string {
  const minute = Math.floor(date.getTime() / 60_000);
  const hit = lastDay.get(timeZone);
  if (hit?.minute === minute) return hit.day;
  let day: string;
  try {
    day = dayInZone(date, timeZone);
  } catch {
    day = dayInZone(date, 'UTC');
  }
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
