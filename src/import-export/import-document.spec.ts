import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvRow } from './csv';
import { DEVHUB_CSV_COLUMNS } from './export.service';
import { decodeUpload, readImportDocument } from './import-document';
import { ImportError } from './import-export.errors';
import { classifyUrl, recordToContact } from './import-record';

const fixtureBytes = (name: string) => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'import', name));
const read = (name: string) => readImportDocument(decodeUpload(fixtureBytes(name), name), name);
const contacts = (name: string) => read(name).records.map((r) => ({ line: r.line, mapped: recordToContact(r) }));

function importError(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImportError) return err;
    throw err;
  }
  throw new Error('expected an ImportError');
}

describe('Google Contacts CSV', () => {
  it('detects the format and maps its columns', () => {
    const doc = read('google-contacts.csv');
    expect(doc.format).toBe('csv:google');
    expect(doc.formatLabel).toBe('Google Contacts CSV');
    const label = (source: string) => doc.columns.find((c) => c.source === source)?.label;
    expect(label('First Name')).toBe('Name (first name)');
    expect(label('E-mail 1 - Value')).toBe('E-mail');
    expect(label('Organization Name')).toBe('Company');
    expect(label('Organization Title')).toBe('Title');
    expect(label('Phone 1 - Value')).toBe('Phone');
    expect(label('Website 1 - Value')).toBe('Website, or GitHub / X / LinkedIn by address');
    expect(label('Labels')).toBe('Tags');
    expect(label('Birthday')).toBe('not imported');
    expect(doc.columns.find((c) => c.source === 'E-mail 1 - Value')?.detail).toBe('ada@example.com');
  });

  it('maps rows: names, first of several values, labels to tags, star to VIP, URLs to GitHub / X / LinkedIn', () => {
    const rows = contacts('google-contacts.csv');
    // multi-line notes and addresses: each record starts on its own line number
    expect(rows.map((r) => r.line)).toEqual([2, 6, 7, 8, 9, 10, 11, 12]);
    const [ada, grace, margaret, katherine, pizza, bad, adaKing, sofia] = rows.map((r) => r.mapped);
    expect(ada!.plain).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 7946 0018',
      company: 'Analytical Engines Ltd',
      title: 'Programmer',
      location: 'London, United Kingdom',
      githubUsername: 'adalovelace',
      website: 'https://ada.dev',
      notes: 'Met at the Difference Engine meetup, 1833.\nAsk about "Note G".',
      isVip: true,
    });
    expect(ada!.tags).toEqual(['Conference']);
    expect(grace!.plain).toMatchObject({ name: 'Grace Brewster Hopper', email: 'grace@navy.example', phone: '555 010-4477', company: 'US Navy' });
    expect(grace!.tags).toEqual(['Rust', 'Conference']);
    expect(margaret!.plain).toMatchObject({ name: 'Margaret Hamilton', twitter: 'mhamilton', location: 'Cambridge, USA' });
    expect(margaret!.tags).toEqual([]);
    expect(katherine!.plain).toMatchObject({ name: 'Katherine Johnson', email: 'katherine.johnson@nasa.example' });
    expect(pizza).toBeNull();
    expect(bad!.plain.email).toBe('not-an-email');
    expect(adaKing!.plain).toMatchObject({ name: 'Ada King', email: 'ADA@example.com' });
    expect(sofia!.plain).toMatchObject({ name: 'Sofía Kovalévskaya', linkedin: 'https://se.linkedin.com/in/sofia-kovalevskaya' });
    // all the row's addresses are kept for matching
    expect(read('google-contacts.csv').records[1]!.emails).toEqual(['grace@navy.example', 'ghopper@cobol.example']);
  });

  it('reads the older Google export (BOM, "Name", "Group Membership", "Organization 1 - Name")', () => {
    const doc = read('google-contacts-legacy.csv');
    expect(doc.format).toBe('csv:google');
    const [dennis, ken] = doc.records.map((r) => recordToContact(r)!);
    expect(dennis!.plain).toMatchObject({
      name: 'Dennis Ritchie',
      email: 'dmr@bell-labs.example',
      company: 'Bell Labs',
      title: 'Member of Technical Staff',
      githubUsername: 'dmr-archive',
      location: 'Murray Hill, NJ',
    });
    expect(dennis!.tags).toEqual(['Unix']);
    expect(ken!.tags).toEqual(['Unix', 'Go']);
    expect(ken!.plain.notes).toBe('Co-creator of Go');
  });
});

describe('LinkedIn Connections.csv', () => {
  it('skips the Notes preamble and maps the connection columns', () => {
    const doc = read('linkedin-connections.csv');
    expect(doc.format).toBe('csv:linkedin');
    expect(doc.columns.map((c) => c.source)).toEqual(['First Name', 'Last Name', 'URL', 'Email Address', 'Company', 'Position', 'Connected On']);
    expect(doc.records[0]!.line).toBe(5);
    const [ada, grace] = doc.records.map((r) => recordToContact(r)!);
    expect(ada!.plain).toEqual({
      name: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      title: 'Principal Engineer',
      linkedin: 'https://www.linkedin.com/in/ada-lovelace-1815',
      notes: 'Connected on LinkedIn: 12 Mar 2024',
    });
    expect(grace!.plain).toMatchObject({ email: 'grace@navy.example', company: 'US Navy, Reserve' });
  });
});

describe("DevHub's own CSV", () => {
  it('is recognised by its field names and reads ids, VIP, cadence and "; "-separated tags', () => {
    const text =
      '\uFEFF' +
      csvRow([...DEVHUB_CSV_COLUMNS]) +
      csvRow(['0d6f3f5e-6c1a-4d7e-9d3f-5b8a2c1e7f90', 'Ada Lovelace', 'ada@example.com', '+44 1', 'AE', 'Eng', 'London', 'adal', 'ada', 'ada-l', 'https://ada.dev', "'=not a formula", 'true', '30', '', 'Rust; Speakers', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    const doc = readImportDocument(text, 'devhub-contacts.csv');
    expect(doc.format).toBe('csv:devhub');
    const r = doc.records[0]!;
    expect(r.id).toBe('0d6f3f5e-6c1a-4d7e-9d3f-5b8a2c1e7f90');
    expect(recordToContact(r)).toEqual({
      plain: {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '+44 1',
        company: 'AE',
        title: 'Eng',
        location: 'London',
        githubUsername: 'adal',
        twitter: 'ada',
        linkedin: 'ada-l',
        website: 'https://ada.dev',
        notes: '=not a formula',
        isVip: 'true',
        keepInTouchDays: '30',
      },
      tags: ['Rust', 'Speakers'],
    });
    expect(doc.columns.find((c) => c.source === 'createdAt')?.imported).toBe(false);
  });
});

describe('a generic CSV', () => {
  it('accepts semicolons and common column names', () => {
    const doc = readImportDocument('Full name;E-mail;Company;GitHub\nAda Lovelace;ada@example.com;AE;https://github.com/adal\n', 'people.csv');
    expect(doc.format).toBe('csv:generic');
    expect(doc.formatLabel).toContain('semicolons');
    expect(recordToContact(doc.records[0]!)!.plain).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', company: 'AE', githubUsername: 'https://github.com/adal' });
  });

  it('marks rows with more values than the header has columns as broken', () => {
    const doc = readImportDocument('name,email\nAda,ada@example.com\nLovelace, Ada,ada@example.com\n', 'x.csv');
    expect(doc.records[0]!.error).toBeUndefined();
    expect(doc.records[1]!.error).toContain('3 values but the header has 2 columns');
  });
});

describe('files that cannot be imported', () => {
  it('refuses binary files and spreadsheets by name and by content', () => {
    expect(importError(() => decodeUpload(Buffer.from('PK\u0003\u0004'), 'contacts.xlsx')).code).toBe('wrong_type');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const e = importError(() => decodeUpload(png, 'contacts.csv'));
    expect(e.code).toBe('wrong_type');
    expect(e.message).toContain('not a text file');
  });

  it('refuses an empty file, a JSON file and a .vcf that is not a vCard', () => {
    expect(importError(() => decodeUpload(Buffer.alloc(0), 'x.csv')).code).toBe('empty');
    expect(importError(() => readImportDocument('{"contacts": []}', 'devhub.json')).code).toBe('wrong_type');
    expect(importError(() => readImportDocument('name,email\n', 'x.vcf')).code).toBe('wrong_type');
  });

  it('explains a CSV without a recognisable header, a broken quote and a header without rows', () => {
    expect(importError(() => readImportDocument('foo,bar\n1,2\n', 'x.csv')).code).toBe('unrecognized');
    const broken = importError(() => readImportDocument('name,email\nAda,ada@example.com\n"Grace,grace@example.com\n', 'x.csv'));
    expect(broken.code).toBe('syntax');
    expect(broken.message).toContain('Line 3');
    expect(importError(() => readImportDocument('name,email\n', 'x.csv')).code).toBe('empty');
  });

  it('decodes UTF-16 (with BOM) and Windows-1252 text', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,email\nZoë,z@example.com\n', 'utf16le')]);
    expect(decodeUpload(utf16, 'x.csv')).toBe('name,email\nZoë,z@example.com\n');
    expect(decodeUpload(Buffer.from([0x5a, 0x6f, 0xeb]), 'x.csv')).toBe('Zoë');
  });
});

describe('classifyUrl', () => {
  it('sorts profile URLs and leaves other sites as websites', () => {
    expect(classifyUrl('https://github.com/octocat/')).toEqual({ kind: 'github', value: 'octocat' });
    expect(classifyUrl('github.com/orgs/nodejs')).toEqual({ kind: 'website', value: 'https://github.com/orgs/nodejs' });
    expect(classifyUrl('https://twitter.com/jack')).toEqual({ kind: 'twitter', value: 'jack' });
    expect(classifyUrl('https://www.linkedin.com/in/someone/')).toEqual({ kind: 'linkedin', value: 'https://www.linkedin.com/in/someone' });
    expect(classifyUrl('ada.dev')).toEqual({ kind: 'website', value: 'https://ada.dev' });
    expect(classifyUrl('javascript:alert(1)')).toBeNull();
    expect(classifyUrl('not a url')).toBeNull();
  });
});
