/** Page numbers past a million are typing mistakes (and 1e20 × 25 is no SQL OFFSET: a 500 on PostgreSQL). */
export const MAX_PAGE = 1_000_000;

/**
 * The `?page=` of every paginated page list: a whole number from 1 to MAX_PAGE; anything else
 * (missing, "abc", "-3", "99999999999999999999", an array from `?page=1&page=2`) shows page 1.
 */
export function parsePage(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw.trim())) return 1;
  const n = Number(raw.trim());
  return n >= 1 && n <= MAX_PAGE ? n : 1;
}
