import { backoffMs, nextSlotAfter, slotAt, validateSchedule } from './schedule';

describe('job schedules', () => {
  it('puts every moment of a cron slot into the same slot, whatever the skew', () => {
    const cron = { cron: '17 3 * * *' };
    const slot = new Date('2026-12-04T03:17:00.000Z');
    for (const skew of [0, 1, 100, 999, 2000, 59_999]) expect(slotAt(cron, new Date(slot.getTime() + skew))).toEqual(slot);
    expect(slotAt(cron, new Date(slot.getTime() - 1))).toEqual(new Date('2026-12-03T03:17:00.000Z'));
    expect(nextSlotAfter(cron, slot)).toEqual(new Date('2026-12-05T03:17:00.000Z'));
  });

  it('aligns fixed periods on the epoch', () => {
    const every = { everyMs: 60_000 };
    expect(slotAt(every, new Date('2026-12-04T10:00:59.999Z'))).toEqual(new Date('2026-12-04T10:00:00.000Z'));
    expect(slotAt(every, new Date('2026-12-04T10:01:00.000Z'))).toEqual(new Date('2026-12-04T10:01:00.000Z'));
    expect(nextSlotAfter(every, new Date('2026-12-04T10:00:00.000Z'))).toEqual(new Date('2026-12-04T10:01:00.000Z'));
  });

  it('refuses malformed schedules with the job name', () => {
    expect(() => validateSchedule('x', { cron: 'every day' })).toThrow(/job x: bad cron/);
    expect(() => validateSchedule('x', { everyMs: 10 })).toThrow(/job x/);
    expect(() => validateSchedule('x', { cron: '*/5 * * * *' })).not.toThrow();
  });

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(30, 1000)).toBe(3_600_000);
  });
});
