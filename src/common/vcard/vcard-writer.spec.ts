import { escapeText, foldLine, writeVCard } from './vcard-writer';

describe('vCard writer', () => {
  it('escapes text values, semicolons unless told not to', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
    expect(escapeText('a,b;c\\d\ne', { semicolons: false })).toBe('a\\,b;c\\\\d\\ne');
    expect(escapeText('a\r\nb\rc')).toBe('a\\nb\\nc');
  });

  it('folds at 75 octets without splitting UTF-8 characters', () => {
    for (const line of [`NOTE:${'é'.repeat(100)}`, 'NOTE:' + 'åäö€🚀'.repeat(40)]) {
      const folded = foldLine(line);
      for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
      expect(folded.replace(/\r\n /g, '')).toBe(line);
      expect(folded).not.toContain('\uFFFD');
    }
    expect(foldLine('FN:short')).toBe('FN:short');
  });

  it('wraps the properties in a folded vCard 4.0 with CRLF line ends', () => {
    const card = writeVCard('-//Test//EN', ['FN:A', `NOTE:${'x'.repeat(100)}`]);
    expect(card).toBe(`BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Test//EN\r\nKIND:individual\r\nFN:A\r\nNOTE:${'x'.repeat(70)}\r\n ${'x'.repeat(30)}\r\nEND:VCARD\r\n`);
  });
});
