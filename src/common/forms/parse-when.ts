import { wallTimeToUtc } from '../time';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date from a form or the API: an ISO instant with a zone, a date ("2026-03-01", at `defaultHour`
 * in the user's zone) or a wall time ("2026-03-01T09:30") in the user's zone. Null when invalid.
 */
export function parseWhen(value: string, timeZone: string, defaultHour = 9): Date | null {
  const v = value.trim();
  let d: Date | null;
  if (ISO_INSTANT.test(v)) {
    d = new Date(v);
    // V8 rolls "2026-02-30T10:00Z" over to 2 March: the calendar day must exist as written
    if (Number.isNaN(d.getTime()) || !wallTimeToUtc(v.slice(0, 10), 'UTC')) return null;
  } else if (DATE_ONLY.test(v)) {
    d = wallTimeToUtc(`${v}T${String(defaultHour).padStart(2, '0')}:00`, timeZone);
  } else {
    d = wallTimeToUtc(v, timeZone);
  }
  if (!d) return null;
  // years outside 1900–2200 are typing mistakes, not dates anyone means
  return d.getUTCFullYear() < 1900 || d.getUTCFullYear() > 2200 ? null : d;
}
