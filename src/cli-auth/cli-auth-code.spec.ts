import { cleanDeviceName, generateUserCode, normaliseUserCode } from './cli-auth-code';

describe('CLI log-in codes', () => {
  it('generates XXXX-XXXX codes from the consonant alphabet, and they normalise to themselves', () => {
    const codes = new Set(Array.from({ length: 500 }, () => generateUserCode()));
    expect(codes.size).toBeGreaterThan(495);
    for (const code of codes) {
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      expect(normaliseUserCode(code)).toBe(code);
    }
  });

  it('accepts what people type and refuses what cannot be a code', () => {
    expect(normaliseUserCode(' bcdf ghjk ')).toBe('BCDF-GHJK');
    expect(normaliseUserCode('bcdfghjk')).toBe('BCDF-GHJK');
    expect(normaliseUserCode('BCDF-GHJ')).toBeNull();
    expect(normaliseUserCode('ABCD-EFGH')).toBeNull();
    expect(normaliseUserCode(['BCDF-GHJK'])).toBeNull();
    expect(normaliseUserCode('B'.repeat(100))).toBeNull();
  });

  it('cleans device names to one printable line', () => {
    expect(cleanDeviceName('  my\u0007 laptop\n\tx ')).toBe('my laptop x');
    expect(cleanDeviceName('\u0000')).toBe('unknown device');
    expect(cleanDeviceName('h'.repeat(200))).toHaveLength(60);
  });
});
