import { Clock } from '../../src/common/clock';
import { Browser, FormFields, followUpsOf, snapshotCrm, sql } from '../support/crm';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 3, item 10: bad input gets a form error or a 404, never a 500; names that look like
 * markup or template code are shown as text on every page that shows a name.
 */

const long = (n: number, c = 'x') => c.repeat(n);
const NUL = 'a\u0000b';
// validator.js does not count U+FE0F when measuring length; PostgreSQL's varchar(200) does
const VARIATION = long(150, 'a\uFE0F');

describe('CRM bad input', () => {
  let t: TestApp;
  let u: Browser;
  let userId: string;
  let contact: string;
  let interaction: string;
  let followUp: string;
  let tag: string;

  beforeAll(async () => {
    t = await startTestApp();
    u = await Browser.signUp(t, 'Bea Bad');
    userId = await u.userId();
    contact = await u.createContact({ name: 'Valid Val', email: 'val@example.com', keepInTouchDays: '10' });
    interaction = await u.logInteraction(contact, { summary: 'first' });
    followUp = await u.addFollowUp(contact, { dueAt: '2031-01-01', note: 'first' });
    await u.addTag(contact, 'Existing');
    [{ id: tag }] = await sql<{ id: string }>(t, 'SELECT id FROM tags WHERE user_id = ?', [userId]);
  });
  afterAll(async () => {
    await t.drop();
  });

  async function contactCount() {
    const [r] = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM contacts WHERE user_id = ?', [userId]);
    return Number(r.n);
  }

  /** [what, fields, the field that gets the message, the message] */
  const badContactFields: Array<[string, FormFields, string, RegExp]> = [
    ['empty name', { name: '' }, 'name', /Enter a name\./],
    ['blank name', { name: '   ' }, 'name', /Enter a name\./],
    ['overlong name', { name: long(201) }, 'name', /Use at most 200 characters\./],
    ['huge name', { name: long(200_000) }, 'name', /Use at most 200 characters\./],
    ['name as a list', { name: ['Ann', 'Bob'] }, 'name', /Enter a name\./],
    ['name with variation selectors', { name: VARIATION }, 'name', /Use at most 200 characters\./],
    ['name with a NUL byte', { name: NUL }, 'name', /control character/],
    ['invalid e-mail', { name: 'Ok', email: 'nope' }, 'email', /Enter a valid e-mail address/],
    ['e-mail without a domain', { name: 'Ok', email: 'a@b' }, 'email', /Enter a valid e-mail address/],
    ['overlong e-mail', { name: 'Ok', email: `${long(320)}@example.com` }, 'email', /too long|Enter a valid e-mail address/],
    ['e-mail as a list', { name: 'Ok', email: ['a@example.com', 'b@example.com'] }, 'email', /too long|Enter a valid e-mail address/],
    ['e-mail with a NUL byte', { name: 'Ok', email: 'a\u0000b@example.com' }, 'email', /Enter a valid e-mail address/],
    ['javascript: website', { name: 'Ok', website: 'javascript:alert(1)' }, 'website', /Enter a full URL/],
    ['ftp website', { name: 'Ok', website: 'ftp://example.com/' }, 'website', /Enter a full URL/],
    ['website without a host', { name: 'Ok', website: 'https://' }, 'website', /Enter a full URL/],
    ['overlong website', { name: 'Ok', website: `https://example.com/${long(500)}` }, 'website', /Use at most 500 characters\./],
    ['website as a list', { name: 'Ok', website: ['https://a.example', 'https://b.example'] }, 'website', /Enter a full URL/],
    ['invalid LinkedIn URL', { name: 'Ok', linkedin: 'https://' }, 'linkedin', /Enter a LinkedIn URL/],
    ['overlong LinkedIn name', { name: 'Ok', linkedin: long(301) }, 'linkedin', /Use at most 300 characters\./],
    ['huge LinkedIn name', { name: 'Ok', linkedin: long(100_000) }, 'linkedin', /Use at most 300 characters\./],
    ['LinkedIn with variation selectors', { name: 'Ok', linkedin: long(200, 'a\uFE0F') }, 'linkedin', /Use at most 300 characters\./],
    ['LinkedIn as a list', { name: 'Ok', linkedin: ['ada', 'bob'] }, 'linkedin', /./],
    ['overlong GitHub username', { name: 'Ok', githubUsername: long(40, 'a') }, 'githubUsername', /A GitHub username has/],
    ['GitHub path', { name: 'Ok', githubUsername: '../../etc/passwd' }, 'githubUsername', /A GitHub username has/],
    ['GitHub username as a list', { name: 'Ok', githubUsername: ['a', 'b'] }, 'githubUsername', /A GitHub username has/],
    ['overlong X handle', { name: 'Ok', twitter: long(51, 'a') }, 'twitter', /An X\/Twitter handle has/],
    ['phone with letters', { name: 'Ok', phone: 'call me maybe' }, 'phone', /Use digits, spaces/],
    ['overlong company', { name: 'Ok', company: long(201) }, 'company', /Use at most 200 characters\./],
    ['company with variation selectors', { name: 'Ok', company: VARIATION }, 'company', /Use at most 200 characters\./],
    ['company with a NUL byte', { name: 'Ok', company: NUL }, 'company', /control character/],
    ['overlong title', { name: 'Ok', title: long(201) }, 'title', /Use at most 200 characters\./],
    ['title with variation selectors', { name: 'Ok', title: VARIATION }, 'title', /Use at most 200 characters\./],
    ['overlong location', { name: 'Ok', location: long(201) }, 'location', /Use at most 200 characters\./],
    ['location with a NUL byte', { name: 'Ok', location: NUL }, 'location', /control character/],
    ['overlong notes', { name: 'Ok', notes: long(10_001) }, 'notes', /Notes are limited to 10,000 characters\./],
    ['notes with a NUL byte', { name: 'Ok', notes: NUL }, 'notes', /control character/],
    ['zero-day cadence', { name: 'Ok', keepInTouchDays: '0' }, 'keepInTouchDays', /Use 1 to 365 days\./],
    ['negative cadence', { name: 'Ok', keepInTouchDays: '-5' }, 'keepInTouchDays', /Use 1 to 365 days\./],
    ['cadence over a year', { name: 'Ok', keepInTouchDays: '366' }, 'keepInTouchDays', /Use 1 to 365 days\./],
    ['fractional cadence', { name: 'Ok', keepInTouchDays: '1.5' }, 'keepInTouchDays', /Use 1 to 365 days\.|whole number/],
    ['exponent cadence', { name: 'Ok', keepInTouchDays: '1e3' }, 'keepInTouchDays', /Use 1 to 365 days\.|whole number/],
    ['huge cadence', { name: 'Ok', keepInTouchDays: '99999999999999999999999' }, 'keepInTouchDays', /Use 1 to 365 days\./],
    ['400-digit cadence', { name: 'Ok', keepInTouchDays: long(400, '9') }, 'keepInTouchDays', /Use 1 to 365 days\./],
    ['Infinity cadence', { name: 'Ok', keepInTouchDays: 'Infinity' }, 'keepInTouchDays', /Use 1 to 365 days\.|whole number/],
    ['cadence as a list', { name: 'Ok', keepInTouchDays: ['5', '6'] }, 'keepInTouchDays', /Use 1 to 365 days\.|whole number/],
    ['VIP neither on nor off', { name: 'Ok', isVip: 'maybe' }, 'isVip', /VIP is on or off\./],
  ];

  function fieldError(html: string, field: string): string | null {
    return new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(html)?.[1] ?? null;
  }

  it.each(badContactFields)('refuses a contact with %s: 422 with the message beside the field, nothing stored', async (_what, fields, field, message) => {
    const before = await contactCount();
    const created = await u.post('/contacts', { duplicateAction: 'create', ...fields });
    expect(created.status).toBe(422);
    expect(fieldError(created.text, field)).toMatch(message);
    expect(await contactCount()).toBe(before);

    const snapshot = await snapshotCrm(t);
    const edited = await u.post(`/contacts/${contact}`, { name: 'Valid Val', ...fields });
    expect(edited.status).toBe(422);
    expect(fieldError(edited.text, field)).toMatch(message);
    expect(await snapshotCrm(t)).toEqual(snapshot);
  });

  it('refuses a NUL byte or an overlong text in interactions and follow-ups with a message', async () => {
    const before = await snapshotCrm(t);
    const cases: Array<[string, FormFields, string, RegExp]> = [
      [`/contacts/${contact}/interactions`, { type: 'call', summary: NUL }, 'summary', /control character/],
      [`/contacts/${contact}/interactions`, { type: 'call', summary: long(5001) }, 'summary', /under 5,000/],
      [`/interactions/${interaction}`, { type: 'call', summary: NUL }, 'summary', /control character/],
      [`/contacts/${contact}/follow-ups`, { dueAt: '2031-01-01', note: NUL }, 'note', /control character/],
      [`/contacts/${contact}/follow-ups`, { dueAt: '2031-01-01', note: long(2001) }, 'note', /under 2,000/],
      [`/follow-ups/${followUp}`, { dueAt: '2031-01-01', note: NUL }, 'note', /control character/],
    ];
    for (const [path, fields, field, message] of cases) {
      const res = await u.post(path, fields);
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 422 });
      expect(res.text).toMatch(message);
    }
    expect(await snapshotCrm(t)).toEqual(before);
  });

  it('treats control characters in tag names as spaces', async () => {
    expect((await u.post(`/contacts/${contact}/tags`, { tag: 'Null\u0000Byte' })).status).toBe(303);
    const names = (await sql<{ name: string }>(t, 'SELECT name FROM tags WHERE user_id = ? ORDER BY name_key', [userId])).map((r) => r.name);
    expect(names).toContain('Null Byte');
    const list = await u.get(`/contacts?tag=${encodeURIComponent('null\u0000byte')}`).expect(200);
    expect(list.text).toContain('Valid Val');
  });

  it('refuses JSON bodies of the wrong shape on the pages with a form error', async () => {
    const bodies: Array<Record<string, unknown>> = [
      { name: { $gt: '' } },
      { name: 12345 },
      { name: true },
      { name: null },
      { name: 'Ok', keepInTouchDays: 1e308 },
      { name: 'Ok', keepInTouchDays: 2.5 },
      { name: 'Ok', isVip: 'x' },
      { name: 'Ok', email: { toString: 'x' } },
      { name: 'Ok', tags: ['a'] },
      { name: ['a'] },
    ];
    const before = await contactCount();
    for (const body of bodies) {
      const res = await u.agent.post('/contacts').redirects(0).send({ _csrf: u.csrf, duplicateAction: 'create', ...body });
      // an unknown field is ignored; everything else is refused
      expect({ body, status: res.status }).toEqual({ body, status: 'tags' in body ? 303 : 422 });
    }
    expect(await contactCount()).toBe(before + 1);
  });

  it('never answers 500, whatever the input (a broad matrix)', async () => {
    const ids = {
      'non-UUID': 'not-a-uuid',
      'SQL-ish': "1' OR '1'='1",
      'NUL byte': '%00',
      'overlong': long(2000, 'a'),
      'unicode': '%F0%9F%98%80',
      'number': '12345678901234567890',
    };
    const requests: Array<{ method: 'GET' | 'POST'; path: string; fields?: FormFields }> = [];
    for (const id of Object.values(ids)) {
      requests.push(
        { method: 'GET', path: `/contacts/${id}` },
        { method: 'GET', path: `/contacts/${id}/edit` },
        { method: 'GET', path: `/contacts/${id}/delete` },
        { method: 'POST', path: `/contacts/${id}`, fields: { name: 'X' } },
        { method: 'POST', path: `/contacts/${id}/delete` },
        { method: 'POST', path: `/contacts/${id}/merge`, fields: { otherId: contact } },
        { method: 'POST', path: `/contacts/${contact}/merge`, fields: { otherId: decodeURIComponent(id) } },
        { method: 'POST', path: `/contacts/${id}/interactions`, fields: { type: 'call' } },
        { method: 'POST', path: `/contacts/${id}/follow-ups`, fields: { dueAt: '2031-01-01' } },
        { method: 'POST', path: `/contacts/${id}/tags`, fields: { tag: 'x' } },
        { method: 'POST', path: `/contacts/${contact}/tags/${id}/delete` },
        { method: 'POST', path: `/contacts/${id}/tags/${tag}/delete` },
        { method: 'GET', path: `/interactions/${id}/edit` },
        { method: 'POST', path: `/interactions/${id}`, fields: { type: 'call' } },
        { method: 'POST', path: `/interactions/${id}/delete` },
        { method: 'GET', path: `/follow-ups/${id}/edit` },
        { method: 'POST', path: `/follow-ups/${id}`, fields: { dueAt: '2031-01-01' } },
        { method: 'POST', path: `/follow-ups/${id}/done` },
        { method: 'POST', path: `/follow-ups/${id}/reopen` },
        { method: 'POST', path: `/follow-ups/${id}/snooze`, fields: { until: 'tomorrow' } },
        { method: 'POST', path: `/follow-ups/${id}/delete` },
        { method: 'POST', path: `/tags/${id}`, fields: { name: 'y' } },
        { method: 'POST', path: `/tags/${id}/delete` },
        { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: [decodeURIComponent(id)], tag: 'z', action: 'add' } },
        { method: 'POST', path: `/contacts?into=${id}`, fields: { name: 'Valid Val', duplicateAction: 'merge' } },
      );
    }
    const dates = ['2026-02-30T10:00', '2026-02-30', '2026-02-30T10:00:00Z', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1000-01-01', '99999-01-01', '2026-01-01T25:00', '2026-13-01', 'tomorrow', long(41, '1'), '', ' '];
    for (const d of dates) {
      requests.push(
        { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: 'call', occurredAt: d } },
        { method: 'POST', path: `/interactions/${interaction}`, fields: { type: 'call', occurredAt: d } },
        { method: 'POST', path: `/contacts/${contact}/follow-ups`, fields: { dueAt: d } },
        { method: 'POST', path: `/follow-ups/${followUp}`, fields: { dueAt: d } },
        { method: 'POST', path: `/follow-ups/${followUp}/snooze`, fields: { until: 'date', date: d } },
      );
    }
    requests.push(
      { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: ['call', 'email'] } },
      { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: long(100) } },
      { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: 'call', occurredAt: ['2026-01-01', '2026-01-02'] } },
      { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: 'call', summary: long(5001) } },
      { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: 'call', summary: ['a', 'b'] } },
      { method: 'POST', path: `/contacts/${contact}/interactions`, fields: { type: 'call', summary: NUL } },
      { method: 'POST', path: `/interactions/${interaction}`, fields: { type: 'call', summary: long(5001) } },
      { method: 'POST', path: `/interactions/${interaction}`, fields: { type: 'call', summary: NUL } },
      { method: 'POST', path: `/contacts/${contact}/follow-ups`, fields: { dueAt: ['2031-01-01', '2031-01-02'] } },
      { method: 'POST', path: `/contacts/${contact}/follow-ups`, fields: { dueAt: '2031-01-01', note: long(2001) } },
      { method: 'POST', path: `/contacts/${contact}/follow-ups`, fields: { dueAt: '2031-01-01', note: NUL } },
      { method: 'POST', path: `/contacts/${contact}/follow-ups`, fields: {} },
      { method: 'POST', path: `/follow-ups/${followUp}`, fields: { dueAt: '2031-01-01', note: ['a', 'b'] } },
      { method: 'POST', path: `/follow-ups/${followUp}`, fields: { dueAt: '2031-01-01', note: NUL } },
      { method: 'POST', path: `/follow-ups/${followUp}/snooze`, fields: { until: ['tomorrow', 'next-week'] } },
      { method: 'POST', path: `/follow-ups/${followUp}/snooze`, fields: { until: 'date', date: ['2031-01-01', '2031-01-02'] } },
      { method: 'POST', path: `/follow-ups/${followUp}/snooze`, fields: { until: 'yesterday' } },
      { method: 'POST', path: '/tags', fields: { name: long(51) } },
      { method: 'POST', path: '/tags', fields: { name: ['a', 'b'] } },
      { method: 'POST', path: '/tags', fields: { name: NUL } },
      { method: 'POST', path: '/tags', fields: { name: long(50, '\uFE0F') } },
      { method: 'POST', path: '/tags', fields: { name: '' } },
      { method: 'POST', path: `/tags/${tag}`, fields: { name: ['a', 'b'] } },
      { method: 'POST', path: `/tags/${tag}`, fields: { name: NUL } },
      { method: 'POST', path: `/tags/${tag}`, fields: { name: long(51) } },
      { method: 'POST', path: `/contacts/${contact}/tags`, fields: { tag: long(51) } },
      { method: 'POST', path: `/contacts/${contact}/tags`, fields: { tag: ['a', 'b'] } },
      { method: 'POST', path: `/contacts/${contact}/tags`, fields: { tag: NUL } },
      { method: 'POST', path: `/contacts/${contact}/tags`, fields: {} },
      { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: [contact], tag: long(51), action: 'add' } },
      { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: [contact], tag: ['a', 'b'], action: 'add' } },
      { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: [contact], tag: NUL, action: 'add' } },
      { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: [contact], tag: 'ok', action: 'explode' } },
      { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: Array.from({ length: 600 }, (_x, i) => `id-${i}`), tag: 'ok', action: 'add' } },
      { method: 'POST', path: '/contacts/bulk-tags', fields: { ids: contact, tag: 'ok', action: 'remove', returnTo: ['//evil.example', '/x'] } },
      { method: 'POST', path: `/contacts/${contact}/merge`, fields: { otherId: [contact, contact] } },
      { method: 'POST', path: '/contacts', fields: { name: 'Valid Val', email: 'val@example.com', duplicateAction: ['merge', 'create'] } },
      { method: 'POST', path: `/contacts?into=${contact}&into=${contact}`, fields: { name: 'Valid Val', duplicateAction: 'merge' } },
      { method: 'POST', path: '/contacts', fields: { name: 'Valid Val', duplicateAction: 'merge', into: [contact, contact] } },
    );
    const queries = [
      'page=0', 'page=-1', 'page=abc', 'page=1.5', 'page=1e308', 'page=99999999999999999999', 'page=9007199254740993', 'page=4000000000',
      'page[]=2', 'page=1&page=2', 'sort=DROP%20TABLE', 'sort[]=name', 'sort=last&sort=created',
      `q=${long(10_000, 'a')}`, 'q=%00', 'q=%22%27%3B--', 'q=*', 'q=NEAR(a%20b)', 'q=a%20OR%20b', 'q=%F0%9F%98%80', 'q[]=x', 'q=a&q=b',
      'tag=%00', `tag=${long(1000)}`, Array.from({ length: 50 }, (_x, i) => `tag=t${i}`).join('&'), 'tag=', 'tag[]=x', 'tag=Existing&tag=existing',
    ];
    for (const q of queries) requests.push({ method: 'GET', path: `/contacts?${q}` });
    for (const q of ['show=overdue&page=99999999999999999999', 'show=done&page=1e308', 'show=nope', 'show[]=done', 'page=-5', 'show=today&page=0', 'show=upcoming&page=4000000000']) {
      requests.push({ method: 'GET', path: `/follow-ups?${q}` });
    }

    const failures: string[] = [];
    for (const r of requests) {
      const res = r.method === 'GET' ? await u.get(r.path) : await u.post(r.path, r.fields);
      if (res.status >= 500) failures.push(`${r.method} ${r.path.slice(0, 120)} ${JSON.stringify(r.fields ?? {}).slice(0, 120)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
    expect(requests.length).toBeGreaterThan(250);
  });

  it('answers 404 to ids that are not UUIDs', async () => {
    for (const path of ['/contacts/not-a-uuid', '/contacts/%00', `/contacts/${long(500, 'a')}`, '/interactions/nope/edit', '/follow-ups/nope/edit']) {
      expect({ path, status: (await u.get(path)).status }).toEqual({ path, status: 404 });
    }
    for (const path of ['/contacts/nope/delete', '/follow-ups/nope/done', '/tags/nope/delete', `/contacts/${contact}/tags/nope/delete`, '/interactions/%00/delete']) {
      expect({ path, status: (await u.post(path)).status }).toEqual({ path, status: 404 });
    }
    const bulk = await u.post('/contacts/bulk-tags', { ids: ['nope'], tag: 'x', action: 'add' });
    expect(bulk.status).toBe(404);
  });

  it('refuses impossible or out-of-range dates with a form error and stores nothing', async () => {
    const before = await snapshotCrm(t);
    for (const d of ['2026-02-30T10:00', '2026-02-30', '2026-02-30T10:00:00Z', '0000-01-01T00:00:00Z', '1000-01-01', '99999-01-01', '2026-01-01T25:00', 'next tuesday']) {
      const i = await u.post(`/contacts/${contact}/interactions`, { type: 'call', occurredAt: d, summary: 'Called about the offsite' });
      expect({ d, status: i.status }).toEqual({ d, status: 422 });
      expect(i.text).toContain('Enter a valid date and time.');
      const f = await u.post(`/contacts/${contact}/follow-ups`, { dueAt: d });
      expect({ d, status: f.status }).toEqual({ d, status: 422 });
      expect(f.text).toContain('Choose a valid due date.');
      const e = await u.post(`/follow-ups/${followUp}`, { dueAt: d });
      expect({ d, status: e.status }).toEqual({ d, status: 422 });
    }
    expect(await snapshotCrm(t)).toEqual(before);
  });

  it('keeps lists paginated for absurd page numbers', async () => {
    for (const page of ['1e308', '99999999999999999999', '4000000000']) {
      const res = await u.get(`/contacts?page=${page}`);
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
      const fu = await u.get(`/follow-ups?show=upcoming&page=${page}`);
      expect({ page, status: fu.status }).toEqual({ page, status: 200 });
    }
  });

  describe('names that look like markup or template code', () => {
    const NAMES = ['<script>alert(1)</script>', '{{constructor}}', '{{#each this}}x{{/each}}', '"><img src=x onerror=alert(1)>', '{{{body}}} & {{> nav}}'];
    const ESCAPED: Record<string, string> = {
      '<script>alert(1)</script>': '&lt;script&gt;alert(1)&lt;/script&gt;',
      '{{constructor}}': '{{constructor}}',
      '{{#each this}}x{{/each}}': '{{#each this}}x{{/each}}',
      '"><img src=x onerror=alert(1)>': '&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;',
      '{{{body}}} & {{> nav}}': '{{{body}}} &amp; {{&gt; nav}}',
    };
    let v: Browser;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      v = await Browser.signUp(t, 'Xena Escape');
      for (const name of NAMES) {
        const id = await v.createContact({ name, email: `${Object.keys(ids).length}@xss.example`, company: name, notes: name, keepInTouchDays: '1' });
        ids[name] = id;
        await v.logInteraction(id, { summary: name, occurredAt: '2020-01-01T00:00:00Z' });
        await v.addFollowUp(id, { dueAt: '2020-01-01', note: name });
        await v.addTag(id, name.slice(0, 50));
      }
    });

    function expectText(where: string, html: string, name: string) {
      const raw = html.includes(name) && !ESCAPED[name].includes(name);
      expect({ where, name, raw }).toEqual({ where, name, raw: false });
      expect({ where, name, shown: html.includes(ESCAPED[name]) }).toEqual({ where, name, shown: true });
      // template code in data is never evaluated
      expect({ where, name, evaluated: /\[native code\]|function Object\(\)/.test(html) }).toEqual({ where, name, evaluated: false });
    }

    it('shows them as text on every page that shows a name', async () => {
      const pages: Array<[string, (name: string) => string]> = [
        ['list', () => '/contacts'],
        ['search', (n) => `/contacts?q=${encodeURIComponent(n)}`],
        ['tag filter', (n) => `/contacts?tag=${encodeURIComponent(n.slice(0, 50))}`],
        ['contact page', (n) => `/contacts/${ids[n]}`],
        ['edit form', (n) => `/contacts/${ids[n]}/edit`],
        ['delete page', (n) => `/contacts/${ids[n]}/delete`],
        ['follow-ups', () => '/follow-ups'],
        ['overdue follow-ups', () => '/follow-ups?show=overdue'],
        ['dashboard', () => '/dashboard'],
        ['tags page', () => '/tags'],
      ];
      for (const name of NAMES) {
        for (const [where, path] of pages) {
          const res = await v.get(path(name));
          expect({ where, status: res.status }).toEqual({ where, status: 200 });
          expectText(where, res.text, name);
        }
        const fu = (await followUpsOf(t, ids[name])).find((f) => !f.isCadence)!;
        expectText('follow-up edit', (await v.get(`/follow-ups/${fu.id}/edit`).expect(200)).text, name);
        const [i] = await sql<{ id: string }>(t, 'SELECT id FROM interactions WHERE contact_id = ?', [ids[name]]);
        expectText('interaction edit', (await v.get(`/interactions/${i.id}/edit`).expect(200)).text, name);
      }
      // three days on, every cadence has lapsed: the dashboard's "Today" list shows them all
      const clock = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 3 * 86_400_000));
      try {
        const dash = (await v.get('/dashboard').expect(200)).text;
        const today = dash.slice(dash.indexOf('id="today-h"'), dash.indexOf('data-slot="insights"'));
        for (const name of NAMES) expectText('today', today, name);
      } finally {
        clock.mockRestore();
      }
    });

    it('shows them as text in the duplicate notice, the form errors and the flash messages', async () => {
      for (const [n, name] of NAMES.entries()) {
        const dup = await v.post('/contacts', { name, email: `${n}@xss.example` });
        expect(dup.status).toBe(409);
        expectText('duplicate notice', dup.text, name);
        const invalid = await v.post('/contacts', { name, email: 'not an e-mail' });
        expect(invalid.status).toBe(422);
        expectText('form error', invalid.text, name);
        const edit = await v.post(`/contacts/${ids[name]}`, { name, email: `${n}@xss.example`, notes: name });
        expect(edit.status).toBe(303);
        const flashed = await v.post(`/contacts/${ids[name]}/tags`, { tag: `${name.slice(0, 40)} 2` });
        expect(flashed.status).toBe(303);
        expectText('flash', (await v.get(`/contacts/${ids[name]}`).expect(200)).text, name);
      }
    });
  });
});
