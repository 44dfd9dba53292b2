import { fromWallClock, parseWhen } from '../../cli/src/dates';
import { renderTable } from '../../cli/src/table';

// Friday 4 December 2026, 16:30 UTC
const NOW = new Date('2026-12-04T16:30:00Z');

describe('natural dates in the account time zone', () => {
  it.each([
    ['tomorrow', 'UTC', '2026-12-05T09:00:00.000Z'],
    ['today 17:45', 'UTC', '2026-12-04T17:45:00.000Z'],
    ['friday', 'UTC', '2026-12-11T09:00:00.000Z'], // today is a Friday: the next one
    ['mon at 3pm', 'UTC', '2026-12-07T15:00:00.000Z'],
    ['next tue', 'UTC', '2026-12-08T09:00:00.000Z'],
    ['in 2 weeks', 'UTC', '2026-12-18T09:00:00.000Z'],
    ['in 1 month', 'UTC', '2027-01-04T09:00:00.000Z'],
    ['3 days ago', 'UTC', '2026-12-01T09:00:00.000Z'],
    ['in 2 hours', 'UTC', '2026-12-04T18:30:00.000Z'],
    ['2026-03-01', 'UTC', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01T14:30', 'UTC', '2026-03-01T14:30:00.000Z'],
    ['2026-03-01T14:30:00Z', 'Asia/Tokyo', '2026-03-01T14:30:00.000Z'],
    // Auckland is UTC+13 in December: it is already Saturday 05:30 there
    ['tomorrow', 'Pacific/Auckland', '2026-12-05T20:00:00.000Z'],
    ['today', 'Pacific/Auckland', '2026-12-04T20:00:00.000Z'],
    ['2026-07-01', 'Pacific/Auckland', '2026-06-30T21:00:00.000Z'],
    ['tomorrow', 'America/New_York', '2026-12-05T14:00:00.000Z'],
  ])('%s in %s', (input, zone, iso) => {
    expect(parseWhen(input, zone, NOW).iso).toBe(iso);
  });

  it('gives the local day too', () => {
    expect(parseWhen('tomorrow', 'Pacific/Auckland', NOW).date).toBe('2026-12-06');
  });

  it('crosses a daylight-saving change at the right offset', () => {
    // Berlin leaves summer time on 25 October 2026: 09:00 on the 26th is 08:00 UTC, on the 24th 07:00 UTC
    expect(fromWallClock({ y: 2026, mo: 10, d: 26, h: 9, mi: 0 }, 'Europe/Berlin').toISOString()).toBe('2026-10-26T08:00:00.000Z');
    expect(fromWallClock({ y: 2026, mo: 10, d: 24, h: 9, mi: 0 }, 'Europe/Berlin').toISOString()).toBe('2026-10-24T07:00:00.000Z');
  });

  it.each(['', 'someday', '2026-02-30', 'friday 25:00', 'in two weeks', '13pm tomorrow'])('refuses %j as a usage error', (input) => {
    expect(() => parseWhen(input, 'UTC', NOW)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('tables', () => {
  const rows = [
    { name: 'Ada Lovelace', note: 'a very long note about the analytical engine and its programs' },
    { name: 'Grace Hopper', note: 'compilers' },
  ];
  it('cut the flexible columns to the width given, never the others', () => {
    const out = renderTable(rows, [{ header: 'NAME', value: (r) => r.name }, { header: 'NOTE', value: (r) => r.note, flex: true }], 40);
    const lines = out.split('\n');
    expect(lines.every((l) => [...l].length <= 40)).toBe(true);
    expect(lines[1]).toMatch(/^Ada Lovelace  a very long note.*…$/);
    expect(lines[2]).toBe('Grace Hopper  compilers');
  });
});
