// escaping and folding are tested with the shared writer (src/common/vcard/vcard-writer.spec.ts)
import { buildVCard } from './vcard';

describe('vCard', () => {
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
