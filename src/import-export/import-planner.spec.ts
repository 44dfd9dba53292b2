import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeUpload, readImportDocument } from './import-document';
import { ExistingContact, ImportPlan, planImport } from './import-planner';
import { cleanTags, emptyRecord, ImportRecord } from './import-record';

const rec = (line: number, fields: Partial<ImportRecord>): ImportRecord => ({ ...emptyRecord(line), ...fields });

const existing = (fields: Partial<ExistingContact> & { id: string; name: string }): ExistingContact => ({
  email: null,
  phone: null,
  company: null,
  title: null,
  location: null,
  githubUsername: null,
  twitter: null,
  linkedin: null,
  website: null,
  notes: null,
  isVip: false,
  keepInTouchDays: null,
  tags: [],
  ...fields,
});

/** What the database would hold after applying a plan (enough to plan the same file again). */
function applied(plan: ImportPlan, before: ExistingContact[]): ExistingContact[] {
  const after = before.map((c) => ({ ...c, tags: [...c.tags] }));
  for (const m of plan.merges) {
    const c = after.find((x) => x.id === m.contactId)!;
    for (const [k, v] of Object.entries(m.patch)) {
      if (k === 'notes' && c.notes) c.notes = `${c.notes}\n\n${v}`;
      else (c as unknown as Record<string, unknown>)[k] = v;
    }
    c.tags.push(...m.tags.map((name) => ({ name })));
  }
  plan.creates.forEach((c, i) => {
    const input = c.input as unknown as Record<string, unknown>;
    after.push(existing({ ...(input as object), id: `new-${i}`, name: c.input.name, isVip: Boolean(c.input.isVip), tags: c.tags.map((name) => ({ name })) }));
  });
  return after;
}

describe('planImport', () => {
  it('creates new contacts and writes nothing else', async () => {
    const plan = await planImport([rec(2, { name: 'Ada Lovelace', emails: ['ada@example.com'], tags: ['Rust'] })], []);
    expect(plan.counts).toEqual({ create: 1, merge: 0, skip: 0 });
    expect(plan.creates[0]!.input).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(plan.creates[0]!.tags).toEqual(['Rust']);
    expect(plan.rows[0]).toMatchObject({ line: 2, action: 'create', reason: 'New contact.' });
  });

  it('matches an existing contact by e-mail, ignoring case, and fills only its empty fields', async () => {
    const ada = existing({ id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com', company: 'AE', notes: 'Met in 1833.', tags: [{ name: 'rust' }] });
    const plan = await planImport(
      [rec(3, { name: 'Ada King', emails: ['ADA@Example.COM'], company: 'Other Co', title: 'Countess', notes: ['Likes poetry.'], tags: ['Rust', 'Math'] })],
      [ada],
    );
    expect(plan.counts).toEqual({ create: 0, merge: 1, skip: 0 });
    expect(plan.merges).toEqual([{ contactId: 'c1', name: 'Ada Lovelace', lines: [3], patch: { title: 'Countess', notes: 'Likes poetry.' }, tags: ['Math'] }]);
    expect(plan.rows[0]!.reason).toBe('Adds title, notes and tag "Math" to Ada Lovelace (same e-mail).');
  });

  it('matches by any of the row’s e-mail addresses and by GitHub username', async () => {
    const plan = await planImport(
      [rec(2, { name: 'G', emails: ['grace@navy.example', 'gh@cobol.example'], phones: ['+1 555'] }), rec(3, { name: 'L', githubUsername: 'Torvalds', title: 'Fellow' })],
      [existing({ id: 'g', name: 'Grace Hopper', email: 'gh@cobol.example' }), existing({ id: 'l', name: 'Linus', githubUsername: 'torvalds' })],
    );
    expect(plan.merges.map((m) => [m.contactId, m.patch])).toEqual([
      ['g', { phone: '+1 555' }],
      ['l', { title: 'Fellow' }],
    ]);
    expect(plan.rows[1]!.reason).toContain('same GitHub username');
  });

  it('matches by name (ignoring case) only when the contact has no e-mail, and not when GitHub or LinkedIn differ', async () => {
    const plan = await planImport(
      [
        rec(2, { name: 'jane doe', company: 'Acme' }),
        rec(3, { name: 'Sam Smith', company: 'Initech' }),
        rec(4, { name: 'Jane Doe', linkedin: 'https://www.linkedin.com/in/jane-7', title: 'Designer' }),
      ],
      [
        existing({ id: 'jane', name: 'Jane Doe', linkedin: 'https://linkedin.com/in/jane-42/' }),
        existing({ id: 'sam', name: 'Sam Smith', email: 'sam@example.com' }),
      ],
    );
    expect(plan.rows.map((r) => r.action)).toEqual(['merge', 'create', 'create']);
    expect(plan.merges[0]).toMatchObject({ contactId: 'jane', patch: { company: 'Acme' } });
    expect(plan.rows[0]!.reason).toContain('same name');
  });

  it('merges later rows of the same file into the contact an earlier row creates', async () => {
    const plan = await planImport(
      [
        rec(2, { name: 'Ada Lovelace', emails: ['ada@example.com'], tags: ['Conference'] }),
        rec(3, { name: 'A. Lovelace', emails: ['ADA@example.com'], phones: ['+44 20 7946 0018'], tags: ['conference', 'Math'] }),
        rec(4, { name: 'Ada Lovelace', emails: ['ada@example.com'] }),
      ],
      [],
    );
    expect(plan.counts).toEqual({ create: 1, merge: 1, skip: 1 });
    expect(plan.creates).toHaveLength(1);
    expect(plan.creates[0]!.input).toMatchObject({ name: 'Ada Lovelace', phone: '+44 20 7946 0018' });
    expect(plan.creates[0]!.tags).toEqual(['Conference', 'Math']);
    expect(plan.creates[0]!.lines).toEqual([2, 3]);
    expect(plan.rows[1]!.reason).toBe('Adds phone and tag "Math" to the contact from line 2 (same e-mail).');
    expect(plan.rows[2]).toMatchObject({ action: 'skip', category: 'unchanged', reason: 'Repeats the contact from line 2 (same e-mail); nothing new.' });
  });

  it('skips rows without a name, with invalid values or broken, with the line and the reason', async () => {
    const plan = await planImport(
      [
        rec(2, { company: 'Contoso Pizza' }),
        rec(3, { name: 'Bad Mail', emails: ['not-an-email'] }),
        rec(4, { name: 'Bad Site', website: 'javascript:alert(1)', githubUsername: 'no spaces allowed' }),
        rec(5, { name: 'Broken', error: 'has 3 values but the header has 2 columns' }),
        rec(6, { emails: ['katherine.johnson@nasa.example'] }),
      ],
      [],
    );
    expect(plan.rows.map((r) => [r.line, r.action, r.category])).toEqual([
      [2, 'skip', 'no_name'],
      [3, 'skip', 'invalid'],
      [4, 'skip', 'invalid'],
      [5, 'skip', 'broken'],
      [6, 'create', undefined],
    ]);
    expect(plan.rows[1]!.reason).toBe('E-mail "not-an-email": Enter a valid e-mail address, or leave it empty.');
    expect(plan.rows[2]!.reason).toContain('GitHub username "no spaces allowed"');
    expect(plan.rows[2]!.reason).toContain('Website "javascript:alert(1)"');
    expect(plan.rows[3]!.reason).toBe('Line 5 has 3 values but the header has 2 columns');
    // a name taken from the e-mail address
    expect(plan.creates[0]!.input.name).toBe('Katherine Johnson');
    expect(plan.skippedBy).toEqual({ unchanged: 0, no_name: 1, invalid: 2, broken: 1 });
  });

  it('finds DevHub ids first, so two contacts with the same name stay apart', async () => {
    const plan = await planImport(
      [rec(2, { id: 'b', name: 'Sam', company: 'Initech' })],
      [existing({ id: 'a', name: 'Sam' }), existing({ id: 'b', name: 'Sam' })],
    );
    expect(plan.merges).toEqual([expect.objectContaining({ contactId: 'b', patch: { company: 'Initech' } })]);
  });

  it('turns VIP on but never off, and appends notes only when they are new', async () => {
    const c = existing({ id: 'c', name: 'Ada', email: 'ada@example.com', notes: 'Line one\r\nLine two', isVip: true });
    const plan = await planImport(
      [rec(2, { name: 'Ada', emails: ['ada@example.com'], notes: ['Line one\nLine two'], isVip: 'false' }), rec(3, { name: 'Ada', emails: ['ada@example.com'], notes: ['Line two'] })],
      [c],
    );
    expect(plan.counts.skip).toBe(2);
  });

  it('plans nothing new for a file it has already imported', async () => {
    for (const name of ['google-contacts.csv', 'linkedin-connections.csv', 'contacts-v3.vcf', 'contacts-v4.vcf']) {
      const bytes = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'import', name));
      const { records } = readImportDocument(decodeUpload(bytes, name), name);
      const first = await planImport(records, []);
      expect(first.counts.create).toBeGreaterThan(0);
      const again = await planImport(records, applied(first, []));
      expect({ name, counts: again.counts }).toEqual({ name, counts: { create: 0, merge: 0, skip: records.length } });
    }
  });
});

describe('cleanTags', () => {
  it('spaces names as saved tags are spaced, and drops cells that hold no name (control characters only)', () => {
    expect(cleanTags(['\u0001', 'Open\u0000 Source', '  rust  ', 'Rust', '\t'])).toEqual(['Open Source', 'rust']);
  });
});
