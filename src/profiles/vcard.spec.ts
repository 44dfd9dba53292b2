import { buildVCard, escapeVCardText, foldLine } from './vcard';

describe('vCard', () => {
  it('escapes text values', () => {
    expect(escapeVCardText('a,b;c\\d\ne')).toBe('a\\,b;c\\\\d\\ne');
    expect(escapeVCardText('a;b', true)).toBe('a\\;b');
  });

  it('folds long lines at 75 octets without splitting characters', () => {
    const line = `NOTE:${'é'.repeat(100)}`;
    const folded = foldLine(line);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
    expect(folded.split('\r\n').map((l, i) => (i ? l.slice(1) : l)).join('')).toBe(line);
  });

  it('keeps a hostile value inside its property', () => {
    const card = buildVCard({
      uid: 'id',
      fullName: 'Eve\r\nEND:VCARD\r\nBEGIN:VCARD',
      profileUrl: 'http://x/@eve\nEVIL:1',
      socials: [],
      revision: new Date(0),
    });
    expect(card.match(/^BEGIN:VCARD/gm)).toHaveLength(1);
    expect(card).not.toMatch(/^EVIL/m);
  });
});
