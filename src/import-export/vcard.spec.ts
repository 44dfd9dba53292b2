import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordToContact } from './import-record';
import { contactToVCard, parseVCards, splitEscaped, unescapeText, VCardContact } from './vcard';
import { cardToRecord, readVCards } from './vcard-records';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'import', name), 'utf8');

describe('parseVCards', () => {
  it('unfolds continuation lines, reads groups, parameters and 2.1 bare types', () => {
    const [card] = parseVCards(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\n  Lovelace\r\nitem1.EMAIL;type=INTERNET;type=WORK,pref:ada@example.com\r\nTEL;WORK;VOICE:+44 1\r\nX-SOCIALPROFILE;TYPE=twitter;X-USER="ada:l":https://x.com/ada\r\nEND:VCARD\r\n',
    );
    expect(card!.version).toBe('3.0');
    expect(card!.props.map((p) => p.name)).toEqual(['FN', 'EMAIL', 'TEL', 'X-SOCIALPROFILE']);
    expect(card!.props[0]!.value).toBe('Ada Lovelace');
    expect(card!.props[1]).toMatchObject({ group: 'item1', params: { TYPE: ['INTERNET', 'WORK', 'pref'] }, value: 'ada@example.com' });
    expect(card!.props[2]!.params.TYPE).toEqual(['WORK', 'VOICE']);
    expect(card!.props[3]).toMatchObject({ params: { 'X-USER': ['ada:l'] }, value: 'https://x.com/ada' });
  });

  it('decodes vCard 2.1 quoted-printable values with soft line breaks', () => {
    const [card] = parseVCards('BEGIN:VCARD\nVERSION:2.1\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Caf=C3=A9 au lait,=\n two lines\nEND:VCARD\n');
    expect(card!.props[0]!.value).toBe('Café au lait, two lines');
  });

  it('reports a card without END:VCARD instead of swallowing the next one', () => {
    const cards = parseVCards('BEGIN:VCARD\nFN:One\nBEGIN:VCARD\nFN:Two\nEND:VCARD\nBEGIN:VCARD\nFN:Three\n');
    expect(cards).toHaveLength(3);
    expect(cards[0]!.error).toContain('line 1');
    expect(cards[1]!.error).toBeUndefined();
    expect(cards[2]!.error).toContain('cut off');
  });

  it('unescapes text and splits structured values on unescaped separators only', () => {
    expect(unescapeText('a\\, b\\; c\\nd\\Ne\\\\f')).toBe('a, b; c\nd\ne\\f');
    expect(splitEscaped(';;12 Main St\\, Apt 4;Springfield;;;USA', ';')).toEqual(['', '', '12 Main St, Apt 4', 'Springfield', '', '', 'USA']);
    expect(splitEscaped('Open Source,Kernel\\,Linux', ',')).toEqual(['Open Source', 'Kernel,Linux']);
  });
});

describe('vCard fixtures → contacts', () => {
  it('reads the vCard 3.0 sample (Apple Contacts)', () => {
    const doc = readVCards(fixture('contacts-v3.vcf'), 100);
    expect(doc.versions).toEqual(['3.0']);
    expect(doc.records).toHaveLength(4);
    const [ada, grace, katherine, pizza] = doc.records.map((r) => recordToContact(r));
    expect(ada!.plain).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0018',
      company: 'Analytical Engines, Ltd.',
      title: 'Programmer',
      location: 'London, United Kingdom',
      githubUsername: 'adalovelace',
      twitter: 'adalovelace',
      notes: "Met at the Difference Engine meetup, 1833.\nAsk about the notes on Menabrea's article; she wrote them in 1843.",
    });
    expect(ada!.tags).toEqual(['Mathematics', 'Conference']);
    expect(grace!.plain).toMatchObject({ name: 'Grace Hopper', email: 'grace@navy.example', linkedin: 'https://www.linkedin.com/in/gracehopper', githubUsername: 'ghopper' });
    expect(katherine!.plain).toMatchObject({ name: 'Katherine Johnson', phone: '757 864-1000', location: 'Hampton, USA' });
    // a card with only a company has no name to import
    expect(pizza).toBeNull();
    expect(doc.properties.find((p) => p.name === 'PHOTO')).toMatchObject({ count: 1, label: 'not imported' });
  });

  it('reads the vCard 4.0 sample (preferred e-mail first, tel: URIs, UID, escaped categories)', () => {
    const doc = readVCards(fixture('contacts-v4.vcf'), 100);
    expect(doc.versions).toEqual(['4.0']);
    const [linus, margaret] = doc.records;
    expect(linus!.id).toBe('4fbe8971-0bc3-424c-9c26-36c3e1eff6b1');
    expect(recordToContact(linus!)!.plain).toEqual({
      name: 'Linus Torvalds',
      email: 'linus@kernel.example',
      phone: '+1-503-555-0199',
      company: 'Linux Foundation',
      title: 'Fellow',
      location: 'Portland, USA',
      githubUsername: 'torvalds',
      website: 'https://kernel.org',
      notes: 'Kernel; git. Prefers e-mail, not calls.\nLikes scuba diving.',
    });
    expect(recordToContact(linus!)!.tags).toEqual(['Open Source', 'Kernel,Linux']);
    expect(margaret!.id).toBe('7d1c9a52-3b7f-4d0e-a0a6-0c6a8f1b2c3d');
    expect(recordToContact(margaret!)!.plain).toMatchObject({
      twitter: 'mhamilton',
      notes: 'Led the Apollo flight software team 🚀 — coined “software engineering”; keep in touch about the history-of-computing talk.',
    });
  });
});

describe('writing vCard 4.0', () => {
  const contact: VCardContact = {
    id: '2b0c4a4e-8a57-4a38-9d0e-2f1f2a0c9b11',
    name: 'Zoë “Zed” Ångström-Løvlace',
    email: 'zoe@example.com',
    phone: '+46 8 123 456',
    company: 'Ångström; Partners, AB',
    title: 'CTO',
    location: 'Uppsala, Sweden',
    githubUsername: 'zoe-a',
    twitter: 'zoe_a',
    linkedin: 'zoe-angstrom',
    website: 'https://zoe.example/blog?x=1,2',
    notes: 'Line one, with a comma; and a semicolon.\r\nLine two \\ with a backslash. ' + 'Långt '.repeat(30),
    tags: [{ name: 'Rust' }, { name: 'Speakers, 2024' }],
    updatedAt: '2026-01-02T03:04:05.678Z',
  };

  it('writes a card every line of which is at most 75 octets, with CRLF', () => {
    const text = contactToVCard(contact);
    expect(text.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(text).toContain('UID:urn:uuid:2b0c4a4e-8a57-4a38-9d0e-2f1f2a0c9b11');
    expect(text).toContain('ORG:Ångström\\; Partners\\, AB');
    expect(text).toContain('CATEGORIES:Rust,Speakers\\, 2024');
  });

  it('reads back exactly what it wrote', () => {
    const [card] = parseVCards(contactToVCard(contact));
    const record = cardToRecord(card!);
    expect(record.id).toBe(contact.id);
    const back = recordToContact(record)!;
    expect(back.plain).toEqual({
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      company: contact.company,
      title: contact.title,
      location: contact.location,
      githubUsername: contact.githubUsername,
      twitter: contact.twitter,
      linkedin: 'https://www.linkedin.com/in/zoe-angstrom',
      website: contact.website,
      notes: contact.notes!.replace(/\r\n/g, '\n').trim(),
    });
    expect(back.tags).toEqual(['Rust', 'Speakers, 2024']);
  });
});
