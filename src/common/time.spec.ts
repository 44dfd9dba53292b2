import { dayInZone, startOfDayInZone, utcToWallTime, wallTimeToUtc } from './time';

describe('time zones', () => {
  it('reads wall times in a zone, across daylight saving', () => {
    expect(wallTimeToUtc('2026-01-15T09:30', 'Europe/Berlin')!.toISOString()).toBe('2026-01-15T08:30:00.000Z');
    expect(wallTimeToUtc('2026-07-15T09:30', 'Europe/Berlin')!.toISOString()).toBe('2026-07-15T07:30:00.000Z');
    expect(wallTimeToUtc('2026-07-15T09:30', 'America/Los_Angeles')!.toISOString()).toBe('2026-07-15T16:30:00.000Z');
    expect(wallTimeToUtc('2026-03-01', 'UTC')!.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses dates that do not exist', () => {
    expect(wallTimeToUtc('2026-02-30T10:00', 'UTC')).toBeNull();
    expect(wallTimeToUtc('yesterday', 'UTC')).toBeNull();
    expect(wallTimeToUtc('2026-01-01T25:00', 'UTC')).toBeNull();
  });

  it('formats instants back into the zone and finds day boundaries', () => {
    const at = new Date('2026-11-25T23:30:00Z');
    expect(utcToWallTime(at, 'Asia/Tokyo')).toBe('2026-11-26T08:30');
    expect(dayInZone(at, 'America/New_York')).toBe('2026-11-25');
    expect(startOfDayInZone(at, 'Asia/Tokyo').toISOString()).toBe('2026-11-25T15:00:00.000Z');
    expect(startOfDayInZone(at, 'Asia/Tokyo', 1).toISOString()).toBe('2026-11-26T15:00:00.000Z');
  });
});
