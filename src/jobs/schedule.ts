import { CronExpressionParser } from 'cron-parser';
import type { JobSchedule } from './job-api';

/**
 * The start of the time slot that `now` falls in: the latest cron fire time at or before `now`
 * (UTC), or the latest whole multiple of `everyMs` since the epoch. Every instance computes the
 * same slot whatever its timer's skew, which is what makes a slot row unique across instances.
 */
export function slotAt(schedule: JobSchedule, now: Date): Date {
  if ('everyMs' in schedule) return new Date(Math.floor(now.getTime() / schedule.everyMs) * schedule.everyMs);
  // prev() is strictly before currentDate: ask from 1 ms later so a fire time equal to now counts
  const expr = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(now.getTime() + 1), tz: 'UTC' });
  return expr.prev().toDate();
}

/** The next slot start after `now`. */
export function nextSlotAfter(schedule: JobSchedule, now: Date): Date {
  if ('everyMs' in schedule) return new Date((Math.floor(now.getTime() / schedule.everyMs) + 1) * schedule.everyMs);
  return CronExpressionParser.parse(schedule.cron, { currentDate: now, tz: 'UTC' }).next().toDate();
}

/** Throws on a malformed schedule, so a bad declaration fails at start-up with the job's name. */
export function validateSchedule(name: string, schedule: JobSchedule): void {
  if ('everyMs' in schedule) {
    if (!Number.isInteger(schedule.everyMs) || schedule.everyMs < 1000) throw new Error(`job ${name}: everyMs must be a whole number of at least 1000`);
    return;
  }
  try {
    CronExpressionParser.parse(schedule.cron, { tz: 'UTC' });
  } catch (err) {
    throw new Error(`job ${name}: bad cron expression "${schedule.cron}" (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Exponential backoff before attempt `attempt + 1` (attempt 1 failed → base, 2 → 2×base, …), capped at an hour. */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.min(3_600_000, baseMs * 2 ** Math.max(0, attempt - 1));
}
