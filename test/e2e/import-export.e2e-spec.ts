import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tablesWithUserId, UsersService } from '../../src/auth/users.service';
import { Clock } from '../../src/common/clock';
import { CadenceService } from '../../src/contacts/cadence.service';
import { Interaction } from '../../src/contacts/interaction.entity';
import { csvRow, parseCsv } from '../../src/import-export/csv';
import { DEVHUB_CSV_COLUMNS } from '../../src/import-export/export.service';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from '../../src/import-export/import-limits';
import { parseVCards } from '../../src/import-export/vcard';
import { csrfFrom, htmlDecode, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'import', name));
const IMPORT_URL = /^\/settings\/account\/import\/([0-9a-f-]{36})$/;

/** Binary bodies (downloads) as a Buffer, whatever their content type. */
function binary(res: unknown, cb: (err: Error | null, body: Buffer) => void) {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('import / export / account deletion', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function newUser(name: string) {
    const agent = t.agent();
    const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    await signUp(agent, { name, email });
    const [user] = await t.dataSource.query(`SELECT id FROM users WHERE email = '${email}'`);
    return { agent, email, id: user.id as string };
  }

  async function csrf(agent: Agent) {
    return csrfFrom((await agent.get('/settings/account').expect(200)).text);
  }

  async function upload(agent: Agent, body: Buffer | string, filename: string) {
    const token = await csrf(agent);
    return agent.post(`/settings/account/import?_csrf=${encodeURIComponent(token)}`).attach('file', Buffer.from(body), filename);
  }

  /** Upload → preview page; returns the pending import id and the preview HTML. */
  async function preview(agent: Agent, body: Buffer | string, filename: string) {
    const res = await upload(agent, body, filename);
    expect(res.status).toBe(303);
    const id = IMPORT_URL.exec(res.headers.location)![1]!;
    const page = await agent.get(res.headers.location).expect(200);
    return { id, html: page.text };
  }

  async function confirm(agent: Agent, id: string) {
    const page = await agent.get(`/settings/account/import/${id}`).expect(200);
    return agent.post(`/settings/account/import/${id}`).type('form').send({ _csrf: csrfFrom(page.text) });
  }

  const count = async (sql: string, ...params: unknown[]) => {
    const pg = t.dataSource.options.type === 'postgres';
    let i = 0;
    const [row] = await t.dataSource.query(pg ? sql.replace(/\?/g, () => `$${++i}`) : sql, params);
    return Number(row.n);
  };
  const contactsOf = (userId: string) => count('SELECT COUNT(*) AS n FROM contacts WHERE user_id = ?', userId);
  const contact = async (userId: string, name: string) => {
    const pg = t.dataSource.options.type === 'postgres';
    const [row] = await t.dataSource.query(`SELECT * FROM contacts WHERE user_id = ${pg ? '$1' : '?'} AND name = ${pg ? '$2' : '?'}`, [userId, name]);
    return row;
  };
  const tagsOf = async (contactId: string) => {
    const pg = t.dataSource.options.type === 'postgres';
    const rows: Array<{ name: string }> = await t.dataSource.query(
      `SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ${pg ? '$1' : '?'} ORDER BY t.name_key`,
      [contactId],
    );
    return rows.map((r) => r.name);
  };

  it('shows Import (id="import"), Export and Delete account sections on /settings/account', async () => {
    const { agent } = await newUser('Settings Reader');
    const page = await agent.get('/settings/account').expect(200);
    expect(page.text).toContain('id="import"');
    expect(page.text).toMatch(/action="\/settings\/account\/import\?_csrf=[^"]+" enctype="multipart\/form-data"/);
    expect(page.text).toContain(`up to 5 MB and ${IMPORT_MAX_ROWS.toLocaleString('en-US')} contacts`);
    for (const href of ['/settings/account/export/contacts.csv', '/settings/account/export/contacts.vcf', '/settings/account/export/devhub.json']) {
      expect(page.text).toContain(`href="${href}"`);
    }
    expect(page.text).toContain('action="/settings/account/delete#delete-account"');
  });

  it('previews a Google Contacts export without writing, then imports it in one go', async () => {
    const { agent, id: userId } = await newUser('Google Importer');
    const { id, html } = await preview(agent, fixture('google-contacts.csv'), 'contacts.csv');

    expect(html).toContain('Google Contacts CSV');
    expect(html).toContain('<code>E-mail 1 - Value</code>');
    expect(html).toMatch(/<code>Labels<\/code><\/td>\s*<td>Tags<\/td>/);
    expect(html).toMatch(/21 columns are not imported<\/summary>\s*<p>.*<code>Birthday<\/code>/);
    // 5 new, Ada King merges into Ada Lovelace (same e-mail), pizza (no name) and a bad e-mail skipped
    expect(html).toMatch(/<span class="stat-value">5<\/span><span class="stat-label">new contacts/);
    expect(html).toMatch(/<span class="stat-value">1<\/span><span class="stat-label">row adds details/);
    expect(html).toMatch(/<span class="stat-value">2<\/span><span class="stat-label">skipped/);
    expect(html).toContain('No name, and no e-mail address to take one from.');
    expect(html).toContain('Line 11');
    expect(html).toContain('E-mail &quot;not-an-email&quot;: Enter a valid e-mail address');
    expect(html).toContain('Adds tag &quot;Mathematics&quot; to the contact from line 2 (same e-mail).');
    // nothing but the pending file is written before the confirmation
    expect(await contactsOf(userId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM tags WHERE user_id = ?', userId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM pending_imports WHERE user_id = ?', userId)).toBe(1);

    const done = await confirm(agent, id);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/contacts');
    const list = await agent.get('/contacts').expect(200);
    expect(list.text).toContain('Imported 5 new contacts; 2 rows were skipped.');

    expect(await contactsOf(userId)).toBe(5);
    const ada = await contact(userId, 'Ada Lovelace');
    expect(ada).toMatchObject({
      email: 'ada@example.com',
      phone: '+44 20 7946 0018',
      company: 'Analytical Engines Ltd',
      title: 'Programmer',
      location: 'London, United Kingdom',
      github_username: 'adalovelace',
      website: 'https://ada.dev',
    });
    expect(Boolean(ada.is_vip)).toBe(true);
    expect(await tagsOf(ada.id)).toEqual(['Conference', 'Mathematics']);
    // tag names are searchable from the first moment, and the contact.created event carries the tags
    expect(ada.search_text).toMatch(/\bconference\b.*\bmathematics\b/);
    const events: Array<{ payload: string }> = await t.dataSource.query(
      `SELECT payload FROM outbox_events WHERE user_id = ${t.dataSource.options.type === 'postgres' ? '$1' : '?'} AND type = 'contact.created'`,
      [userId],
    );
    const adaCreated = events.map((e) => JSON.parse(e.payload)).find((p) => p.name === 'Ada Lovelace');
    expect(adaCreated.tags.map((x: { name: string }) => x.name)).toEqual(['Conference', 'Mathematics']);
    expect(await contact(userId, 'Grace Brewster Hopper')).toMatchObject({ email: 'grace@navy.example', phone: '555 010-4477' });
    expect(await contact(userId, 'Katherine Johnson')).toMatchObject({ email: 'katherine.johnson@nasa.example' });
    expect(await count('SELECT COUNT(*) AS n FROM pending_imports WHERE user_id = ?', userId)).toBe(0);
    // webhooks hear about every new contact
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_events WHERE user_id = ? AND type = 'contact.created'`, userId)).toBe(5);

    // the same file again: nothing to create or merge
    const again = await preview(agent, fixture('google-contacts.csv'), 'contacts.csv');
    expect(again.html).toMatch(/<span class="stat-value">0<\/span><span class="stat-label">new contacts/);
    expect(again.html).toMatch(/<span class="stat-value">0<\/span><span class="stat-label">rows add details/);
    expect(again.html).toContain('Already in DevHub as Ada Lovelace (same e-mail); nothing new.');
    expect(again.html).not.toContain('>Import 0');
  });

  it('imports LinkedIn’s Connections.csv and merges it into contacts that already exist', async () => {
    const { agent, id: userId } = await newUser('Linked Importer');
    const page = await agent.get('/contacts/new').expect(200);
    await agent.post('/contacts').type('form').send({ _csrf: csrfFrom(page.text), name: 'Grace Hopper', email: 'grace@navy.example' }).expect(303);

    const { id, html } = await preview(agent, fixture('linkedin-connections.csv'), 'Verbindungen-Zoë.csv');
    expect(html).toContain('<strong>Verbindungen-Zoë.csv</strong> · LinkedIn Connections.csv · 6 rows');
    expect(html).toContain('Adds company, title, linkedIn and notes to Grace Hopper (same e-mail).'.replace('linkedIn', 'linkedin'));
    expect((await confirm(agent, id)).status).toBe(303);

    // the two Jane Does have different LinkedIn profiles: two people
    expect(await count(`SELECT COUNT(*) AS n FROM contacts WHERE user_id = ? AND name = 'Jane Doe'`, userId)).toBe(2);
    expect(await contactsOf(userId)).toBe(6);
    expect(await contact(userId, 'Grace Hopper')).toMatchObject({ company: 'US Navy, Reserve', title: 'Rear Admiral', linkedin: 'https://www.linkedin.com/in/gracehopper' });
    expect((await contact(userId, 'Ada Lovelace')).notes).toBe('Connected on LinkedIn: 12 Mar 2024');
  });

  it('imports vCard 3.0 and 4.0, and a second import of the same file creates nothing', async () => {
    const { agent, id: userId } = await newUser('Card Importer');
    for (const file of ['contacts-v3.vcf', 'contacts-v4.vcf']) {
      const first = await preview(agent, fixture(file), file);
      expect(first.html).toContain(file === 'contacts-v3.vcf' ? 'vCard 3.0' : 'vCard 4.0');
      expect((await confirm(agent, first.id)).status).toBe(303);
    }
    expect(await contactsOf(userId)).toBe(5);
    const ada = await contact(userId, 'Ada Lovelace');
    expect(ada).toMatchObject({ company: 'Analytical Engines, Ltd.', github_username: 'adalovelace', twitter: 'adalovelace', location: 'London, United Kingdom' });
    expect(ada.notes).toBe("Met at the Difference Engine meetup, 1833.\nAsk about the notes on Menabrea's article; she wrote them in 1843.");
    expect(await tagsOf(ada.id)).toEqual(['Conference', 'Mathematics']);
    expect(await tagsOf((await contact(userId, 'Linus Torvalds')).id)).toEqual(['Kernel,Linux', 'Open Source']);

    for (const file of ['contacts-v3.vcf', 'contacts-v4.vcf']) {
      const again = await preview(agent, fixture(file), file);
      expect(again.html).toMatch(/<span class="stat-value">0<\/span><span class="stat-label">new contacts/);
      expect(again.html).toContain('There is nothing to import');
    }
    expect(await contactsOf(userId)).toBe(5);
  });

  it('exports CSV, vCard and JSON with file names, and round-trips its own CSV and vCard', async () => {
    const { agent, id: userId } = await newUser('Round Tripper');
    const { id } = await preview(agent, fixture('google-contacts.csv'), 'google.csv');
    await confirm(agent, id);
    const ada = await contact(userId, 'Ada Lovelace');
    const page = await agent.get(`/contacts/${ada.id}`).expect(200);
    await agent.post(`/contacts/${ada.id}/interactions`).type('form').send({ _csrf: csrfFrom(page.text), type: 'call', occurredAt: '2026-02-10T10:00', summary: 'Talked about Note G' }).expect(303);
    await agent.post(`/contacts/${ada.id}/follow-ups`).type('form').send({ _csrf: csrfFrom(page.text), dueAt: '2027-03-01', note: 'Send the paper' }).expect(303);

    const csv = await agent.get('/settings/account/export/contacts.csv').buffer(true).parse(binary).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="devhub-contacts-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(csv.headers['cache-control']).toContain('no-store');
    const { rows } = parseCsv((csv.body as Buffer).toString('utf8'));
    expect(rows[0]).toEqual([...DEVHUB_CSV_COLUMNS]);
    expect(rows).toHaveLength(6);
    const adaRow = Object.fromEntries(DEVHUB_CSV_COLUMNS.map((c, i) => [c, rows.find((r) => r[1] === 'Ada Lovelace')![i]]));
    expect(adaRow).toMatchObject({ id: ada.id, email: 'ada@example.com', isVip: 'true', tags: 'Conference; Mathematics', githubUsername: 'adalovelace' });

    const vcf = await agent.get('/settings/account/export/contacts.vcf').buffer(true).parse(binary).expect(200);
    expect(vcf.headers['content-type']).toBe('text/vcard; charset=utf-8');
    expect(vcf.headers['content-disposition']).toMatch(/filename="devhub-contacts-\d{4}-\d{2}-\d{2}\.vcf"/);
    const cards = parseVCards((vcf.body as Buffer).toString('utf8'));
    expect(cards).toHaveLength(5);
    expect(cards.every((c) => c.version === '4.0')).toBe(true);

    // own CSV and vCard back into the same account: nothing new
    for (const [body, name] of [
      [csv.body as Buffer, 'devhub-contacts.csv'],
      [vcf.body as Buffer, 'devhub-contacts.vcf'],
    ] as const) {
      const again = await preview(agent, body, name);
      expect(again.html).toMatch(/<span class="stat-value">0<\/span><span class="stat-label">new contacts/);
      expect(again.html).toContain('same DevHub id');
    }
    // …and into a fresh account: the same contacts
    const other = await newUser('Fresh Account');
    const moved = await preview(other.agent, csv.body as Buffer, 'devhub-contacts.csv');
    expect(moved.html).toContain('DevHub CSV export');
    await confirm(other.agent, moved.id);
    expect(await contact(other.id, 'Ada Lovelace')).toMatchObject({ email: 'ada@example.com', github_username: 'adalovelace', website: 'https://ada.dev' });
    expect(await tagsOf((await contact(other.id, 'Ada Lovelace')).id)).toEqual(['Conference', 'Mathematics']);

    const json = await agent.get('/settings/account/export/devhub.json').buffer(true).parse(binary).expect(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toMatch(/filename="devhub-export-\d{4}-\d{2}-\d{2}\.json"/);
    const text = (json.body as Buffer).toString('utf8');
    expect(text).not.toMatch(/passwordHash|password_hash|scrypt|token/i);
    const doc = JSON.parse(text);
    expect(doc.account).toMatchObject({ id: userId, name: 'Round Tripper', hasPassword: true });
    expect(doc.contacts).toHaveLength(5);
    expect(doc.contacts.find((c: { name: string }) => c.name === 'Ada Lovelace').tags.map((x: { name: string }) => x.name)).toEqual(['Conference', 'Mathematics']);
    expect(doc.tags.map((x: { name: string }) => x.name).sort()).toEqual(['Conference', 'Mathematics', 'Rust']);
    expect(doc.interactions).toEqual([expect.objectContaining({ contactId: ada.id, type: 'call', summary: 'Talked about Note G' })]);
    expect(doc.followUps).toEqual([expect.objectContaining({ contactId: ada.id, note: 'Send the paper', status: 'open' })]);
  });

  it('gives imported contacts with a keep-in-touch cadence their one open cadence follow-up', async () => {
    const { agent, id: userId } = await newUser('Cadence Importer');
    const row = (values: Record<string, unknown>) => csvRow(DEVHUB_CSV_COLUMNS.map((c) => values[c] ?? ''));
    const csv = [
      csvRow([...DEVHUB_CSV_COLUMNS]),
      row({ name: 'Every Month', email: 'monthly@example.com', keepInTouchDays: 30 }),
      row({ name: 'Every Week', email: 'weekly@example.com', keepInTouchDays: 7, tags: 'Rust' }),
      row({ name: 'No Cadence', email: 'never@example.com' }),
    ].join('');
    const { id } = await preview(agent, csv, 'devhub-contacts.csv');
    expect((await confirm(agent, id)).status).toBe(303);

    const pg = t.dataSource.options.type === 'postgres';
    const followUps: Array<{ name: string; due_at: string | Date; created_at: string | Date; note: string; status: string }> = await t.dataSource.query(
      `SELECT c.name, f.due_at, c.created_at, f.note, f.status FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
        WHERE f.user_id = ${pg ? '$1' : '?'} AND f.is_cadence = ${pg ? 'true' : '1'} ORDER BY c.name`,
      [userId],
    );
    const at = (v: string | Date) => new Date(v instanceof Date ? v : `${v.replace(' ', 'T')}Z`).getTime();
    expect(followUps.map((f) => [f.name, f.note, f.status, Math.round((at(f.due_at) - at(f.created_at)) / 86_400_000)])).toEqual([
      ['Every Month', 'Keep in touch (every 30 days)', 'open', 30],
      ['Every Week', 'Keep in touch (every 7 days)', 'open', 7],
    ]);
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_events WHERE user_id = ? AND type = 'followup.created'`, userId)).toBe(2);

    // the usual cadence rules take over from there: logging an interaction moves it, never doubles it
    const weekly = await contact(userId, 'Every Week');
    const page = await agent.get(`/contacts/${weekly.id}`).expect(200);
    await agent.post(`/contacts/${weekly.id}/interactions`).type('form').send({ _csrf: csrfFrom(page.text), type: 'call', summary: 'Caught up' }).expect(303);
    expect(await count(`SELECT COUNT(*) AS n FROM follow_ups WHERE contact_id = ? AND status = 'open'`, weekly.id)).toBe(1);
  });

  it('downloads one contact’s vCard from its page, and 404s another user’s contact', async () => {
    const owner = await newUser('Card Owner');
    const page = await owner.agent.get('/contacts/new').expect(200);
    const created = await owner.agent.post('/contacts').type('form').send({ _csrf: csrfFrom(page.text), name: 'Zoë Ångström', email: 'zoe@example.com', githubUsername: 'zoe-a' }).expect(303);
    const contactId = created.headers.location.split('/').pop()!;
    const show = await owner.agent.get(`/contacts/${contactId}`).expect(200);
    expect(show.text).toContain(`href="/contacts/${contactId}/vcard"`);

    const res = await owner.agent.get(`/contacts/${contactId}/vcard`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('text/vcard; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="zoe-angstrom.vcf"; filename*=UTF-8''zoe-angstrom.vcf`);
    const [card] = parseVCards((res.body as Buffer).toString('utf8'));
    expect(card!.props.find((p) => p.name === 'FN')!.value).toBe('Zoë Ångström');
    expect(card!.props.find((p) => p.name === 'UID')!.value).toBe(`urn:uuid:${contactId}`);
    expect(card!.props.find((p) => p.name === 'X-SOCIALPROFILE')!.value).toBe('https://github.com/zoe-a');

    const stranger = await newUser('Stranger');
    await stranger.agent.get(`/contacts/${contactId}/vcard`).expect(404);
    await stranger.agent.get('/contacts/00000000-0000-4000-8000-000000000000/vcard').expect(404);
    // the contact page itself still answers on /contacts/:id
    await owner.agent.get(`/contacts/${contactId}`).expect(200);
    // signed out: to the log-in page
    const anon = await t.agent().get(`/contacts/${contactId}/vcard`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toContain('/login');
  });

  it('refuses files over the size limit, wrong types, broken and unrecognised files with a clear message', async () => {
    const { agent, id: userId } = await newUser('Careful Uploader');

    const big = Buffer.alloc(IMPORT_MAX_BYTES + 1, 'a');
    const tooBig = await upload(agent, big, 'huge.csv').catch((err) => err.response ?? { status: 'connection reset' });
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toContain('larger than 5 MB');

    const png = await upload(agent, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), 'avatar.png');
    expect(png.status).toBe(415);
    expect(png.text).toContain('&quot;avatar.png&quot; is a PNG file, not a CSV or vCard.');

    const xlsx = await upload(agent, Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000'), 'contacts.csv');
    expect(xlsx.status).toBe(415);
    expect(xlsx.text).toContain('This is not a text file');

    const broken = await upload(agent, 'name,email\nAda,ada@example.com\n"Grace,grace@example.com\nLinus,l@example.com\n', 'broken.csv');
    expect(broken.status).toBe(422);
    expect(broken.text).toContain('This CSV file is broken. Line 3: A quoted value that starts on line 3 is never closed.');
    expect(broken.text).toContain('aria-invalid="true"');

    const unknown = await upload(agent, 'foo,bar\n1,2\n', 'numbers.csv');
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('No header row with contact columns was found');

    const rows = 'name\n' + Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `P${i}`).join('\n');
    const tooMany = await upload(agent, rows, 'many.csv');
    expect(tooMany.status).toBe(413);
    expect(tooMany.text).toContain(`more than ${IMPORT_MAX_ROWS.toLocaleString('en-US')} rows`);

    const token = await csrf(agent);
    const none = await agent.post(`/settings/account/import?_csrf=${token}`).field('x', 'y');
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose a file to import.');

    const wrongField = await agent.post(`/settings/account/import?_csrf=${token}`).attach('document', Buffer.from('name\nAda\n'), 'a.csv');
    expect(wrongField.status).toBe(422);
    expect(wrongField.text).toContain('The upload could not be read');

    // without the CSRF token: refused before the file is read, nothing kept
    const forged = await agent.post('/settings/account/import').attach('file', fixture('google-contacts.csv'), 'contacts.csv');
    expect(forged.status).toBe(403);

    expect(await count('SELECT COUNT(*) AS n FROM pending_imports WHERE user_id = ?', userId)).toBe(0);
    expect(await contactsOf(userId)).toBe(0);
  });

  it('writes nothing when the import fails half-way, after a batch has been written', async () => {
    const { agent, id: userId } = await newUser('Unlucky Importer');
    // 300 new contacts: lines 2–251 are the first batch, 252–301 the second; every tenth keeps in touch
    const row = (values: Record<string, unknown>) => csvRow(DEVHUB_CSV_COLUMNS.map((c) => values[c] ?? ''));
    const csv = [
      csvRow([...DEVHUB_CSV_COLUMNS]),
      ...Array.from({ length: 300 }, (_, i) => row({ name: `Person ${i}`, email: `person${i}@example.com`, tags: i % 3 ? 'Imported' : '', keepInTouchDays: i % 10 ? '' : 30 })),
    ].join('');
    const { id } = await preview(agent, csv, 'devhub-contacts.csv');
    // the second batch fails after its rows and events were written, with the first batch (rows,
    // tag links, events, cadence follow-ups) already in the transaction
    const cadence = t.app.get(CadenceService);
    const original = cadence.scheduleForNew.bind(cadence);
    let calls = 0;
    const spy = jest.spyOn(cadence, 'scheduleForNew').mockImplementation(async (...args) => {
      await original(...args);
      if (++calls === 2) throw new Error('disk on fire');
    });
    try {
      const res = await confirm(agent, id);
      expect(res.status).toBe(500);
      expect(res.text).toContain('Nothing was imported.');
      expect(htmlDecode(res.text)).toContain('The import stopped at lines 252–301, so nothing was imported');
      expect(res.text).not.toContain('disk on fire');
      expect(calls).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(await contactsOf(userId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM tags WHERE user_id = ?', userId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM outbox_events WHERE user_id = ?', userId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM follow_ups WHERE user_id = ?', userId)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM contact_tags ct WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = ct.contact_id)`)).toBe(0);
    // the upload is still there: trying again works
    expect((await confirm(agent, id)).status).toBe(303);
    expect(await contactsOf(userId)).toBe(300);
    expect(await count('SELECT COUNT(*) AS n FROM follow_ups WHERE user_id = ?', userId)).toBe(30);
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_events WHERE user_id = ? AND type = 'contact.created'`, userId)).toBe(300);
    // and a second confirmation finds nothing to import
    const twice = await agent.post(`/settings/account/import/${id}`).type('form').send({ _csrf: await csrf(agent) });
    expect(twice.status).toBe(404);
    expect(await contactsOf(userId)).toBe(300);
  });

  it('keeps uploads private, lets the user cancel, and expires them after an hour', async () => {
    const owner = await newUser('Pending Owner');
    const other = await newUser('Pending Snoop');
    const { id } = await preview(owner.agent, fixture('linkedin-connections.csv'), 'Connections.csv');
    await other.agent.get(`/settings/account/import/${id}`).expect(404);
    await other.agent.post(`/settings/account/import/${id}`).type('form').send({ _csrf: await csrf(other.agent) }).expect(404);
    await other.agent.get('/settings/account/import/not-a-uuid').expect(404);

    const cancelled = await owner.agent.post(`/settings/account/import/${id}/cancel`).type('form').send({ _csrf: await csrf(owner.agent) });
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.location).toBe('/settings/account#import');
    await owner.agent.get(`/settings/account/import/${id}`).expect(404);

    const later = await preview(owner.agent, fixture('linkedin-connections.csv'), 'Connections.csv');
    const clock = t.app.get(Clock);
    const now = Date.now();
    const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(now + 61 * 60 * 1000));
    try {
      const expired = await owner.agent.get(`/settings/account/import/${later.id}`);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('This upload has expired');
      const stale = await owner.agent.post(`/settings/account/import/${later.id}`).type('form').send({ _csrf: await csrf(owner.agent) });
      expect(stale.status).toBe(410);
    } finally {
      spy.mockRestore();
    }
    expect(await contactsOf(owner.id)).toBe(0);
  });

  it('deletes the account and every row it owns after the e-mail is typed; other users keep theirs', async () => {
    const keeper = await newUser('Keeper');
    const leaver = await newUser('Leaver');
    for (const u of [keeper, leaver]) {
      const { id } = await preview(u.agent, fixture('google-contacts.csv'), 'contacts.csv');
      await confirm(u.agent, id);
      const ada = await contact(u.id, 'Ada Lovelace');
      const page = await u.agent.get(`/contacts/${ada.id}`).expect(200);
      await u.agent.post(`/contacts/${ada.id}/interactions`).type('form').send({ _csrf: csrfFrom(page.text), type: 'meeting', summary: 'Coffee' }).expect(303);
      await u.agent.post(`/contacts/${ada.id}/follow-ups`).type('form').send({ _csrf: csrfFrom(page.text), dueAt: '2027-01-01' }).expect(303);
      await preview(u.agent, fixture('linkedin-connections.csv'), 'Connections.csv'); // a pending upload too
    }
    const tables = await tablesWithUserId(t.dataSource.manager);
    expect(tables).toEqual(expect.arrayContaining(['contacts', 'interactions', 'follow_ups', 'tags', 'sessions', 'outbox_events', 'pending_imports']));
    const rowsOf = async (userId: string) => {
      const out: Record<string, number> = {};
      for (const table of tables) out[table] = await count(`SELECT COUNT(*) AS n FROM "${table}" WHERE user_id = ?`, userId);
      return out;
    };
    const keeperBefore = await rowsOf(keeper.id);
    expect(keeperBefore.contacts).toBe(5);

    const wrong = await submitForm(leaver.agent, '/settings/account', '/settings/account/delete', { currentPassword: 'not the password' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password.');
    const empty = await submitForm(leaver.agent, '/settings/account', '/settings/account/delete', { currentPassword: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Enter your current password to delete your account.');
    expect(await contactsOf(leaver.id)).toBe(5);

    const res = await submitForm(leaver.agent, '/settings/account', '/settings/account/delete', { currentPassword: 'correct horse battery' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/signup');
    const signup = await leaver.agent.get('/signup').expect(200);
    expect(signup.text).toContain('Your account and everything in it have been deleted.');
    // signed out for good
    const after = await leaver.agent.get('/settings/account');
    expect(after.status).toBe(303);
    expect(after.headers.location).toContain('/login');

    expect(await count('SELECT COUNT(*) AS n FROM users WHERE id = ?', leaver.id)).toBe(0);
    for (const [table, n] of Object.entries(await rowsOf(leaver.id))) expect({ table, n }).toEqual({ table, n: 0 });
    const pg = t.dataSource.options.type === 'postgres';
    const orphans = await t.dataSource.query(`SELECT COUNT(*) AS n FROM contact_tags ct WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = ct.contact_id)${pg ? '' : ''}`);
    expect(Number(orphans[0].n)).toBe(0);
    expect(await rowsOf(keeper.id)).toEqual({ ...keeperBefore, sessions: expect.any(Number) });
    await keeper.agent.get('/settings/account').expect(200);
  });

  it('deletes a long history in slices on SQLite, giving other requests a turn in between', async () => {
    const { agent, email, id: userId } = await newUser('Long History');
    const { id } = await preview(agent, fixture('google-contacts.csv'), 'contacts.csv');
    await confirm(agent, id);
    const ada = await contact(userId, 'Ada Lovelace');
    const now = new Date();
    const history = Array.from({ length: 4500 }, (_, i) => ({ id: randomUUID(), userId, contactId: ada.id, type: 'other' as const, occurredAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000), summary: `note ${i}`, createdAt: now, updatedAt: now }));
    for (let i = 0; i < history.length; i += 500) await t.dataSource.createQueryBuilder().insert().into(Interaction).values(history.slice(i, i + 500)).execute();
    expect(await count('SELECT COUNT(*) AS n FROM interactions WHERE user_id = ?', userId)).toBe(4500);

    // what another request would see at the first turn it gets while the deletion runs
    let midway: number | undefined;
    setImmediate(() => void count('SELECT COUNT(*) AS n FROM interactions WHERE user_id = ?', userId).then((n) => (midway = n)));
    await t.app.get(UsersService).removeAccount(userId);
    await new Promise((resolve) => setImmediate(resolve)); // the probe has run, whenever its turn came
    if (t.dataSource.options.type !== 'postgres') {
      // on the shared SQLite connection: part of the history gone, part still there
      expect(midway).toBeGreaterThan(0);
      expect(midway).toBeLessThan(4500);
    }
    expect(await count('SELECT COUNT(*) AS n FROM interactions WHERE user_id = ?', userId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM users WHERE id = ?', userId)).toBe(0);
  });
});
