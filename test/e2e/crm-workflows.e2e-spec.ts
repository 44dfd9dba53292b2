import request from 'supertest';
import { Clock } from '../../src/common/clock';
import { CadenceService } from '../../src/contacts/cadence.service';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { normalizeDbDate } from '../../src/contacts/contacts.service';
import { OutboxService } from '../../src/outbox/outbox.service';
import {
  Browser,
  contactViewFromDb,
  followUpSection,
  followUpsOf,
  followUpViewFromDb,
  interactionViewFromDb,
  listedNames,
  outboxOf,
  snapshotCrm,
  sql,
} from '../support/crm';
import { createApiKey } from '../support/api';
import { htmlDecode, startTestApp, TestApp } from '../support/test-app';

/** Issue 3, items 1–7 and 9: the CRM's workflows through the pages, checked in the database. */

const DAY = 86_400_000;
const iso = (d: Date | string | null | undefined) => (d ? normalizeDbDate(d as string | Date).toISOString() : null);

describe('CRM workflows', () => {
  let t: TestApp;
  let now: jest.SpyInstance<Date, []>;

  /** Moves the app's clock (the views' relative times still use the real one). */
  const setNow = (when: string | Date) => now.mockReturnValue(new Date(when));

  beforeAll(async () => {
    t = await startTestApp();
    now = jest.spyOn(t.app.get(Clock), 'now');
  });
  afterEach(() => {
    now.mockReset();
    now.mockImplementation(() => new Date());
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.drop();
  });

  async function contactRow(id: string) {
    return contactViewFromDb(t, id);
  }

  async function countContacts(userId: string): Promise<number> {
    const [r] = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM contacts WHERE user_id = ?', [userId]);
    return Number(r.n);
  }

  async function tagId(userId: string, name: string): Promise<string> {
    const [r] = await sql<{ id: string }>(t, 'SELECT id FROM tags WHERE user_id = ? AND name_key = ?', [userId, name.toLowerCase()]);
    if (!r) throw new Error(`no tag ${name}`);
    return r.id;
  }

  async function tagCounts(u: Browser): Promise<Record<string, number>> {
    const html = (await u.get('/tags').expect(200)).text;
    const out: Record<string, number> = {};
    for (const m of html.matchAll(/<td><a class="tag" href="[^"]*">([^<]*)<\/a><\/td>\s*<td>(\d+)<\/td>/g)) out[m[1]] = Number(m[2]);
    return out;
  }

  describe('duplicate detection on create (item 1)', () => {
    let u: Browser;
    let userId: string;
    let original: string;

    beforeAll(async () => {
      u = await Browser.signUp(t, 'Dana Dup');
      userId = await u.userId();
      original = await u.createContact({ name: 'Ada Original', email: 'ada@dup.example', githubUsername: 'adagh', title: 'Countess' });
    });

    it.each([
      ['the same e-mail in another case', { email: 'ADA@Dup.Example' }],
      ['the same GitHub username in another case', { githubUsername: 'https://github.com/AdaGH' }],
      ['the same GitHub username with an @', { githubUsername: '@ADAGH' }],
    ])('answers 409 with open / merge / create-anyway for %s, and creates nothing', async (_what, fields) => {
      const count = await countContacts(userId);
      const res = await u.post('/contacts', { name: 'Ada Newcomer', ...fields });
      expect(res.status).toBe(409);
      expect(res.text).toContain('You may already have this person');
      expect(res.text).toContain('Ada Original');
      expect(res.text).toContain(`href="/contacts/${original}"`);
      expect(res.text).toContain(`formaction="/contacts?into=${original}"`);
      expect(res.text).toMatch(/name="duplicateAction" value="create"/);
      expect(res.text).toContain('value="Ada Newcomer"');
      expect(await countContacts(userId)).toBe(count);
    });

    it('creates a separate contact with "create anyway"', async () => {
      const count = await countContacts(userId);
      const res = await u.post('/contacts', { name: 'Ada Twin', email: 'Ada@dup.example', duplicateAction: 'create' });
      expect(res.status).toBe(303);
      const id = res.headers.location.split('/').pop()!;
      expect(id).not.toBe(original);
      expect(await countContacts(userId)).toBe(count + 1);
      expect((await contactRow(id))!.email).toBe('ada@dup.example');
    });

    it('fills the blanks of the existing contact with "merge" and keeps what it had', async () => {
      const count = await countContacts(userId);
      const res = await u.post(`/contacts?into=${original}`, {
        name: 'Ada Other Name',
        email: 'ada@dup.example',
        title: 'Programmer',
        company: 'Analytical Engines',
        phone: '+44 20 7946 0000',
        notes: 'Met at the merge test',
        keepInTouchDays: '30',
        duplicateAction: 'merge',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/contacts/${original}`);
      expect(await countContacts(userId)).toBe(count);
      const c = (await contactRow(original))!;
      expect(c).toMatchObject({
        name: 'Ada Original',
        title: 'Countess',
        company: 'Analytical Engines',
        phone: '+44 20 7946 0000',
        notes: 'Met at the merge test',
        keepInTouchDays: 30,
        githubUsername: 'adagh',
      });
      // the new cadence is scheduled on the existing contact
      expect((await followUpsOf(t, original)).filter((f) => f.isCadence && f.status === 'open')).toHaveLength(1);
    });

    it('lists both existing matches, and a contact page offers to merge a duplicate', async () => {
      const res = await u.post('/contacts', { name: 'Third Ada', email: 'ada@dup.example' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('Ada Original');
      expect(res.text).toContain('Ada Twin');
      const page = await u.get(`/contacts/${original}`).expect(200);
      expect(page.text).toContain('Possible duplicates');
      expect(page.text).toContain(`action="/contacts/${original}/merge"`);
    });
  });

  describe('merging two contacts (item 2)', () => {
    it('keeps both records\' interactions, follow-ups and tags, fills blanks and deletes the other', async () => {
      const u = await Browser.signUp(t, 'Mel Merge');
      const userId = await u.userId();
      setNow('2030-01-10T12:00:00Z');
      const other = await u.createContact({ name: 'Kim Other', email: 'kim@merge.example', githubUsername: 'kimgh', company: 'OtherCo', keepInTouchDays: '14', notes: 'other notes', isVip: 'true' });
      setNow('2030-01-20T12:00:00Z');
      const keep = await u.createContact({ name: 'Kim Keep', email: 'kim@merge.example', keepInTouchDays: '30', notes: 'keep notes' });
      const keepInteractions = [
        await u.logInteraction(keep, { occurredAt: '2030-01-11T09:00:00Z', summary: 'keep 1' }),
        await u.logInteraction(keep, { occurredAt: '2030-01-12T09:00:00Z', summary: 'keep 2' }),
      ];
      const otherInteraction = await u.logInteraction(other, { occurredAt: '2030-01-15T09:00:00Z', summary: 'other newest' });
      const keepFu = await u.addFollowUp(keep, { dueAt: '2030-02-01', note: 'keep follow-up' });
      const otherFu = await u.addFollowUp(other, { dueAt: '2030-02-02', note: 'other follow-up' });
      for (const tag of ['alpha', 'shared']) await u.addTag(keep, tag);
      for (const tag of ['beta', 'Shared']) await u.addTag(other, tag);
      expect((await followUpsOf(t, other)).filter((f) => f.isCadence)).toHaveLength(1);

      setNow('2030-01-21T12:00:00Z');
      const res = await u.post(`/contacts/${keep}/merge`, { otherId: other });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/contacts/${keep}`);

      expect(await contactRow(other)).toBeNull();
      const c = (await contactRow(keep))!;
      expect(c).toMatchObject({
        name: 'Kim Keep',
        email: 'kim@merge.example',
        githubUsername: 'kimgh',
        company: 'OtherCo',
        isVip: true,
        keepInTouchDays: 14,
        lastInteractionAt: '2030-01-15T09:00:00.000Z',
        notes: 'keep notes\n\nother notes',
        // the merged record was first added when the older of the two was
        createdAt: '2030-01-10T12:00:00.000Z',
      });
      expect(c.tags.map((x) => x.name)).toEqual(['alpha', 'beta', 'shared']);
      const interactions = await sql<{ id: string }>(t, 'SELECT id FROM interactions WHERE contact_id = ?', [keep]);
      expect(interactions.map((r) => r.id).sort()).toEqual([...keepInteractions, otherInteraction].sort());
      const fus = await followUpsOf(t, keep);
      expect(fus.filter((f) => !f.isCadence).map((f) => f.id).sort()).toEqual([keepFu, otherFu].sort());
      const cadence = fus.filter((f) => f.isCadence && f.status === 'open');
      expect(cadence).toHaveLength(1);
      // the shorter cadence, counted from the newest interaction of either record
      expect(iso(cadence[0].dueAt)).toBe(new Date(Date.parse('2030-01-15T09:00:00Z') + 14 * DAY).toISOString());
      expect(await tagCounts(u)).toEqual({ alpha: 1, beta: 1, shared: 1 });

      const page = await u.get(`/contacts/${keep}`).expect(200);
      for (const s of ['keep 1', 'keep 2', 'other newest', 'keep follow-up', 'other follow-up']) expect(page.text).toContain(s);

      const events = await outboxOf(t, userId);
      const deleted = events.filter((e) => e.type === 'contact.deleted');
      expect(deleted).toHaveLength(1);
      expect(deleted[0].payload).toMatchObject({ id: other, name: 'Kim Other' });
      const updated = events.filter((e) => e.type === 'contact.updated').pop()!;
      expect(updated.payload).toEqual(c);
    });

    it('refuses to merge a contact into itself or with an unknown id', async () => {
      const u = await Browser.signUp(t, 'Sam Self');
      const id = await u.createContact({ name: 'Solo' });
      expect((await u.post(`/contacts/${id}/merge`, { otherId: id })).status).toBe(404);
      expect((await u.post(`/contacts/${id}/merge`, { otherId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
      expect((await u.post(`/contacts/${id}/merge`, {})).status).toBe(404);
      expect(await contactRow(id)).not.toBeNull();
    });
  });

  describe('interactions (item 3)', () => {
    it('keeps lastInteractionAt equal to the newest through edits and deletions', async () => {
      const u = await Browser.signUp(t, 'Ivy Interact');
      const id = await u.createContact({ name: 'Timeline Tess' });
      const last = async () => (await contactRow(id))!.lastInteractionAt;
      const i1 = await u.logInteraction(id, { occurredAt: '2029-01-01T10:00:00Z', summary: 'first' });
      const i2 = await u.logInteraction(id, { occurredAt: '2029-02-01T10:00:00Z', summary: 'second' });
      const i3 = await u.logInteraction(id, { occurredAt: '2029-03-01T10:00:00Z', summary: 'third' });
      expect(await last()).toBe('2029-03-01T10:00:00.000Z');

      // the edit page shows the wall time in the user's zone
      await u.setTimezone('Asia/Tokyo');
      const edit = await u.get(`/interactions/${i1}/edit`).expect(200);
      expect(edit.text).toContain('value="2029-01-01T19:00"');
      expect(edit.text).toContain('first');

      // moving the oldest to the newest moves lastInteractionAt (wall time read in Tokyo)
      expect((await u.post(`/interactions/${i1}`, { type: 'call', occurredAt: '2029-04-01T09:00', summary: 'first, moved' })).status).toBe(303);
      expect(await last()).toBe('2029-04-01T00:00:00.000Z');
      expect(await interactionViewFromDb(t, i1)).toMatchObject({ type: 'call', summary: 'first, moved', occurredAt: '2029-04-01T00:00:00.000Z' });
      // and back again
      expect((await u.post(`/interactions/${i1}`, { type: 'call', occurredAt: '2029-01-01T09:00', summary: 'first' })).status).toBe(303);
      expect(await last()).toBe('2029-03-01T10:00:00.000Z');

      const bad = await u.post(`/interactions/${i2}`, { type: 'telepathy', occurredAt: '2029-13-45T10:00', summary: 'kept input' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Choose one of');
      expect(bad.text).toContain('kept input');
      expect(await interactionViewFromDb(t, i2)).toMatchObject({ type: 'meeting', summary: 'second' });

      // deleting the newest falls back to the one before
      const del = await u.post(`/interactions/${i3}/delete`);
      expect(del.status).toBe(303);
      expect(del.headers.location).toBe(`/contacts/${id}`);
      expect(await last()).toBe('2029-02-01T10:00:00.000Z');
      expect(await interactionViewFromDb(t, i3)).toBeNull();

      expect((await u.post(`/interactions/${i2}/delete`)).status).toBe(303);
      expect(await last()).toBe('2029-01-01T00:00:00.000Z');
      expect((await u.post(`/interactions/${i1}/delete`)).status).toBe(303);
      expect(await last()).toBeNull();
      const list = await u.get('/contacts').expect(200);
      expect(list.text).toMatch(/Timeline Tess[\s\S]*never/);
      const page = await u.get(`/contacts/${id}`).expect(200);
      expect(page.text).toContain('No interactions yet.');
    });
  });

  describe('follow-ups in the user\'s time zone (item 4)', () => {
    // 12:00 UTC: 02:00 on 16 June in Kiritimati (UTC+14), 01:00 on 15 June in Pago Pago (UTC−11)
    const NOW = '2030-06-15T12:00:00Z';
    let u: Browser;
    let contact: string;
    const fu: Record<string, string> = {};

    beforeAll(async () => {
      u = await Browser.signUp(t, 'Zoe Zone');
      contact = await u.createContact({ name: 'Fiona Zone' });
    });

    async function sections() {
      // the open sections are on "All open"; done ones have their own tab
      const html = (await u.get('/follow-ups').expect(200)).text + (await u.get('/follow-ups?show=done').expect(200)).text;
      const names = (key: string) => Object.keys(fu).filter((k) => followUpSection(html, key).includes(`note-${k}<`)).sort();
      return { overdue: names('overdue'), today: names('today'), upcoming: names('upcoming'), done: names('done'), html };
    }

    async function dueAt(id: string) {
      return (await followUpViewFromDb(t, id))!.dueAt;
    }

    it('sorts follow-ups into overdue / today / upcoming / done by the user\'s day', async () => {
      setNow(NOW);
      fu.f1 = await u.addFollowUp(contact, { dueAt: '2030-06-15T10:30:00Z', note: 'note-f1' });
      fu.f2 = await u.addFollowUp(contact, { dueAt: '2030-06-16T10:30:00Z', note: 'note-f2' });
      fu.f4 = await u.addFollowUp(contact, { dueAt: '2030-06-10T00:00:00Z', note: 'note-f4' });
      fu.f5 = await u.addFollowUp(contact, { dueAt: '2030-07-01T00:00:00Z', note: 'note-f5' });
      fu.f6 = await u.addFollowUp(contact, { dueAt: '2030-06-01T00:00:00Z', note: 'note-f6' });
      expect((await u.post(`/follow-ups/${fu.f6}/done`)).status).toBe(303);

      await u.setTimezone('Pacific/Kiritimati');
      let s = await sections();
      expect(s).toMatchObject({ overdue: ['f4'], today: ['f1'], upcoming: ['f2', 'f5'], done: ['f6'] });
      expect(followUpSection(s.html, 'today')).toContain('16 Jun 2030');
      let dash = (await u.get('/dashboard').expect(200)).text;
      expect(dash).toMatch(/<span class="stat-value">2<\/span><span class="stat-label">need you today/);
      expect(dash).toMatch(/<span class="stat-value">1<\/span><span class="stat-label">overdue/);
      expect(dash).toMatch(/<span class="stat-value">4<\/span><span class="stat-label">open follow-ups/);
      const today = (await u.get('/follow-ups?show=today').expect(200)).text;
      expect(today).toContain('note-f1');
      expect(today).not.toContain('note-f2');

      await u.setTimezone('Pacific/Pago_Pago');
      s = await sections();
      expect(s).toMatchObject({ overdue: ['f1', 'f4'], today: ['f2'], upcoming: ['f5'], done: ['f6'] });
      expect(followUpSection(s.html, 'today')).toContain('15 Jun 2030');
      dash = (await u.get('/dashboard').expect(200)).text;
      expect(dash).toMatch(/<span class="stat-value">3<\/span><span class="stat-label">need you today/);
      expect(dash).toMatch(/<span class="stat-value">2<\/span><span class="stat-label">overdue/);

      await u.setTimezone('UTC');
      s = await sections();
      expect(s).toMatchObject({ overdue: ['f4'], today: ['f1'], upcoming: ['f2', 'f5'], done: ['f6'] });
    });

    it('marks done and reopens', async () => {
      setNow(NOW);
      const res = await u.post(`/follow-ups/${fu.f1}/done`, { returnTo: '/follow-ups?show=today' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/follow-ups?show=today');
      expect(await followUpViewFromDb(t, fu.f1)).toMatchObject({ status: 'done', completedAt: '2030-06-15T12:00:00.000Z' });
      let s = await sections();
      expect(s.done).toEqual(['f1', 'f6']);
      expect(s.today).toEqual([]);
      // done twice is harmless and keeps the first completion time
      setNow('2030-06-15T13:00:00Z');
      expect((await u.post(`/follow-ups/${fu.f1}/done`)).status).toBe(303);
      expect((await followUpViewFromDb(t, fu.f1))!.completedAt).toBe('2030-06-15T12:00:00.000Z');

      expect((await u.post(`/follow-ups/${fu.f1}/reopen`)).status).toBe(303);
      expect(await followUpViewFromDb(t, fu.f1)).toMatchObject({ status: 'open', completedAt: null, dueAt: '2030-06-15T10:30:00.000Z' });
      s = await sections();
      expect(s.today).toEqual(['f1']);
    });

    it('snoozes to tomorrow, next week or a chosen date at 09:00 in the user\'s zone', async () => {
      setNow(NOW);
      await u.setTimezone('Pacific/Kiritimati');
      expect((await u.post(`/follow-ups/${fu.f4}/snooze`, { until: 'tomorrow' })).status).toBe(303);
      expect(await dueAt(fu.f4)).toBe('2030-06-16T19:00:00.000Z'); // 17 June 09:00 in Kiritimati
      expect((await u.post(`/follow-ups/${fu.f4}/snooze`, { until: 'next-week' })).status).toBe(303);
      expect(await dueAt(fu.f4)).toBe('2030-06-22T19:00:00.000Z'); // 23 June 09:00
      expect((await u.post(`/follow-ups/${fu.f4}/snooze`, { until: 'date', date: '2030-07-04' })).status).toBe(303);
      expect(await dueAt(fu.f4)).toBe('2030-07-03T19:00:00.000Z');
      // today (in Kiritimati) is allowed
      expect((await u.post(`/follow-ups/${fu.f4}/snooze`, { until: 'date', date: '2030-06-16' })).status).toBe(303);
      expect(await dueAt(fu.f4)).toBe('2030-06-15T19:00:00.000Z');

      await u.setTimezone('Pacific/Pago_Pago');
      expect((await u.post(`/follow-ups/${fu.f5}/snooze`, { until: 'tomorrow' })).status).toBe(303);
      expect(await dueAt(fu.f5)).toBe('2030-06-16T20:00:00.000Z'); // 16 June 09:00 in Pago Pago

      // a past day, or no date, is refused with a message and changes nothing
      await u.setTimezone('Pacific/Kiritimati');
      for (const fields of [{ until: 'date', date: '2030-06-15' }, { until: 'date', date: '2030-06-01' }, { until: 'date', date: '' }, { until: 'date', date: 'soon' }]) {
        const before = await dueAt(fu.f4);
        const res = await u.post(`/follow-ups/${fu.f4}/snooze`, fields);
        expect(res.status).toBe(303);
        expect(await dueAt(fu.f4)).toBe(before);
        const page = await u.get(res.headers.location).expect(200);
        expect(page.text).toMatch(/flash-error/);
      }

      // snoozing a done follow-up opens it again
      expect((await u.post(`/follow-ups/${fu.f6}/snooze`, { until: 'tomorrow' })).status).toBe(303);
      expect(await followUpViewFromDb(t, fu.f6)).toMatchObject({ status: 'open', completedAt: null, dueAt: '2030-06-16T19:00:00.000Z' });
    });

    it('edits and deletes', async () => {
      setNow(NOW);
      await u.setTimezone('Pacific/Kiritimati');
      const page = await u.get(`/follow-ups/${fu.f2}/edit`).expect(200);
      expect(page.text).toContain('value="2030-06-17T00:30"');
      expect(page.text).toContain('note-f2');
      expect((await u.post(`/follow-ups/${fu.f2}`, { dueAt: '2030-08-01T14:30', note: 'note-f2 edited' })).status).toBe(303);
      expect(await followUpViewFromDb(t, fu.f2)).toMatchObject({ dueAt: '2030-08-01T00:30:00.000Z', note: 'note-f2 edited' });

      const bad = await u.post(`/follow-ups/${fu.f2}`, { dueAt: '2030-02-30', note: 'kept' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Choose a valid due date.');
      expect(bad.text).toContain('kept');
      expect((await followUpViewFromDb(t, fu.f2))!.note).toBe('note-f2 edited');

      const del = await u.post(`/follow-ups/${fu.f2}/delete`, { returnTo: `/contacts/${contact}` });
      expect(del.status).toBe(303);
      expect(del.headers.location).toBe(`/contacts/${contact}`);
      expect(await followUpViewFromDb(t, fu.f2)).toBeNull();
      expect((await u.get(`/follow-ups/${fu.f2}/edit`)).status).toBe(404);
    });
  });

  describe('keep-in-touch cadences (item 5)', () => {
    const T0 = Date.parse('2030-01-01T12:00:00Z');
    const at = (days: number) => new Date(T0 + days * DAY);

    it('keeps one open cadence follow-up that moves with interactions and completions', async () => {
      const u = await Browser.signUp(t, 'Cal Cadence');
      const userId = await u.userId();
      setNow(at(0));
      const id = await u.createContact({ name: 'Cady Cadence', keepInTouchDays: '10' });
      const open = async () => (await followUpsOf(t, id)).filter((f) => f.isCadence && f.status === 'open');
      let o = await open();
      expect(o).toHaveLength(1);
      expect(iso(o[0].dueAt)).toBe(at(10).toISOString());
      const first = o[0].id;

      setNow(at(3));
      await u.logInteraction(id, { occurredAt: at(3).toISOString() });
      o = await open();
      expect(o.map((f) => f.id)).toEqual([first]);
      expect(iso(o[0].dueAt)).toBe(at(13).toISOString());
      // an older interaction does not move it back
      await u.logInteraction(id, { occurredAt: at(1).toISOString() });
      expect(iso((await open())[0].dueAt)).toBe(at(13).toISOString());

      setNow(at(15));
      expect((await u.post(`/follow-ups/${first}/done`)).status).toBe(303);
      o = await open();
      expect(o).toHaveLength(1);
      expect(o[0].id).not.toBe(first);
      expect(iso(o[0].dueAt)).toBe(at(25).toISOString());
      const created = (await outboxOf(t, userId)).filter((e) => e.type === 'followup.created');
      expect(created.map((e) => (e.payload as { id: string }).id).sort()).toEqual([first, o[0].id].sort());

      // reopening the completed one leaves one open cadence follow-up, not two
      expect((await u.post(`/follow-ups/${first}/reopen`)).status).toBe(303);
      expect(await open()).toHaveLength(1);
      expect((await u.post(`/follow-ups/${(await open())[0].id}/done`)).status).toBe(303);
      o = await open();
      expect(o).toHaveLength(1);
      expect(iso(o[0].dueAt)).toBe(at(25).toISOString());

      // changing the cadence moves it; removing the cadence removes it
      await u.editContact(id, { keepInTouchDays: '20' });
      o = await open();
      expect(o).toHaveLength(1);
      expect(iso(o[0].dueAt)).toBe(at(35).toISOString());
      await u.editContact(id, { keepInTouchDays: '' });
      expect(await open()).toEqual([]);
      expect((await followUpsOf(t, id)).filter((f) => f.isCadence && f.status === 'done').length).toBeGreaterThan(0);
      // and setting it again brings one back
      await u.editContact(id, { keepInTouchDays: '7' });
      expect(await open()).toHaveLength(1);
    });

    it('lists lapsed contacts in "Today", most overdue first', async () => {
      const u = await Browser.signUp(t, 'Lou Lapsed');
      setNow(at(0));
      const c5 = await u.createContact({ name: 'Every Five', keepInTouchDays: '5' });
      await u.createContact({ name: 'Every Ten', keepInTouchDays: '10' });
      await u.createContact({ name: 'Every Three', keepInTouchDays: '3' });
      await u.createContact({ name: 'Every Fifty', keepInTouchDays: '50' });
      await u.createContact({ name: 'No Cadence' });

      setNow(at(2));
      let dash = (await u.get('/dashboard').expect(200)).text;
      expect(dash).toContain('You are all caught up.');

      setNow(at(20));
      dash = (await u.get('/dashboard').expect(200)).text;
      const section = dash.slice(dash.indexOf('id="today-h"'), dash.indexOf('data-slot="insights"'));
      const names = [...section.matchAll(/<a class="today-name" href="\/contacts\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
      expect(names).toEqual(['Every Three', 'Every Five', 'Every Ten']);
      expect(section).toContain('17 days over');
      expect(section).toContain('15 days over');
      expect(section).toContain('10 days over');

      // getting in touch takes the contact off the list
      await u.logInteraction(c5, { occurredAt: at(20).toISOString() });
      dash = (await u.get('/dashboard').expect(200)).text;
      expect(dash.slice(dash.indexOf('id="today-h"'), dash.indexOf('data-slot="insights"'))).not.toContain('Every Five');
    });
  });

  describe('tags (item 6)', () => {
    let u: Browser;
    let userId: string;
    let p1: string;
    let p2: string;
    let p3: string;

    beforeAll(async () => {
      u = await Browser.signUp(t, 'Tia Tags');
      userId = await u.userId();
      p1 = await u.createContact({ name: 'Pat One' });
      p2 = await u.createContact({ name: 'Pat Two' });
      p3 = await u.createContact({ name: 'Pat Three' });
    });

    const names = async (query: string) => listedNames((await u.get(`/contacts${query}`).expect(200)).text).sort();

    it('creates tags with names unique ignoring case', async () => {
      expect((await u.post('/tags', { name: '  Rust  ' })).status).toBe(303);
      for (const name of ['rust', 'RUST', ' rust ']) {
        const res = await u.post('/tags', { name });
        expect(res.status).toBe(422);
        expect(res.text).toContain('A tag named &quot;Rust&quot; already exists.');
      }
      const empty = await u.post('/tags', { name: '   ' });
      expect(empty.status).toBe(422);
      expect(empty.text).toContain('Enter a tag name.');
      expect(await tagCounts(u)).toEqual({ Rust: 0 });
    });

    it('adds and removes tags on the contact page', async () => {
      await u.addTag(p1, 'rust'); // the existing tag, whatever the case
      await u.addTag(p1, 'Go');
      await u.addTag(p2, 'Rust');
      await u.addTag(p3, 'Go');
      await u.addTag(p3, 'go');
      expect(await tagCounts(u)).toEqual({ Go: 2, Rust: 2 });
      const page = await u.get(`/contacts/${p1}`).expect(200);
      expect(page.text).toContain(`action="/contacts/${p1}/tags/${await tagId(userId, 'Go')}/delete"`);

      expect((await u.post(`/contacts/${p3}/tags/${await tagId(userId, 'Go')}/delete`)).status).toBe(303);
      expect((await contactRow(p3))!.tags).toEqual([]);
      expect(await tagCounts(u)).toEqual({ Go: 1, Rust: 2 });
    });

    it('applies and removes a tag in bulk from the list', async () => {
      let res = await u.post('/contacts/bulk-tags', { ids: [p1, p2, p3], tag: 'Speaker', action: 'add', returnTo: '/contacts?sort=created' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/contacts?sort=created');
      expect((await u.get(res.headers.location).expect(200)).text).toContain('Tagged 3 contact(s) with &quot;Speaker&quot;.');
      expect(await tagCounts(u)).toMatchObject({ Speaker: 3 });
      res = await u.post('/contacts/bulk-tags', { ids: [p1, p2], tag: 'speaker', action: 'remove' });
      expect(res.status).toBe(303);
      expect(await tagCounts(u)).toMatchObject({ Speaker: 1 });
      expect((await contactRow(p3))!.tags.map((x) => x.name)).toEqual(['Speaker']);
      // nothing selected: a message, nothing changes
      res = await u.post('/contacts/bulk-tags', { tag: 'Speaker', action: 'add' });
      expect(res.status).toBe(303);
      expect((await u.get(res.headers.location).expect(200)).text).toContain('Select one or more contacts first.');
      expect(await tagCounts(u)).toMatchObject({ Speaker: 1 });
    });

    it('filters the list by several tags (contacts having all of them)', async () => {
      await u.addTag(p2, 'Go');
      await u.addTag(p2, 'Speaker');
      expect(await names('?tag=Rust')).toEqual(['Pat One', 'Pat Two']);
      expect(await names('?tag=rust&tag=GO')).toEqual(['Pat One', 'Pat Two']);
      expect(await names('?tag=Rust&tag=Go&tag=Speaker')).toEqual(['Pat Two']);
      expect(await names('?tag=Speaker')).toEqual(['Pat Three', 'Pat Two']);
      expect(await names('?tag=Rust&tag=Nope')).toEqual([]);
      const html = (await u.get('/contacts?tag=Rust&tag=Go').expect(200)).text;
      expect(html).toContain('2 matching');
      // the chip of an active tag removes it from the filter
      expect(htmlDecode(html)).toContain('href="/contacts?tag=Go"');
    });

    it('follows tag links from the contact page, whatever characters the name has', async () => {
      await u.addTag(p1, 'C++ & Rust #1');
      const page = (await u.get(`/contacts/${p1}`).expect(200)).text;
      const href = /<li class="tag tag-removable">\s*<a href="([^"]+)">C\+\+ &amp; Rust #1<\/a>/.exec(page)?.[1];
      expect(href).toBeDefined();
      const decoded = htmlDecode(href!);
      expect(listedNames((await u.get(decoded).expect(200)).text)).toEqual(['Pat One']);
      const tagsPage = (await u.get('/tags').expect(200)).text;
      const fromTags = /<a class="tag" href="([^"]+)">C\+\+ &amp; Rust #1<\/a>/.exec(tagsPage)?.[1];
      expect(listedNames((await u.get(htmlDecode(fromTags!)).expect(200)).text)).toEqual(['Pat One']);
      expect((await u.post(`/tags/${await tagId(userId, 'C++ & Rust #1')}/delete`)).status).toBe(303);
    });

    it('renames a tag, and search finds contacts by the new name', async () => {
      const go = await tagId(userId, 'Go');
      const res = await u.post(`/tags/${go}`, { name: 'Golang' });
      expect(res.status).toBe(303);
      expect(await tagCounts(u)).toEqual({ Golang: 2, Rust: 2, Speaker: 2 });
      expect(await names('?q=golang')).toEqual(['Pat One', 'Pat Two']);
      expect(await names('?tag=golang')).toEqual(['Pat One', 'Pat Two']);
      expect(await names('?tag=Go')).toEqual([]);
      // a new case of the same name is a rename, not a merge
      expect((await u.post(`/tags/${go}`, { name: 'GOLANG' })).status).toBe(303);
      expect(await tagCounts(u)).toEqual({ GOLANG: 2, Rust: 2, Speaker: 2 });
      expect(await tagId(userId, 'golang')).toBe(go);
    });

    it('merges a tag renamed onto an existing name, keeping every contact link once', async () => {
      await u.addTag(p1, 'Systems');
      await u.addTag(p3, 'Systems');
      const rust = await tagId(userId, 'Rust');
      const systems = await tagId(userId, 'Systems');
      const res = await u.post(`/tags/${rust}`, { name: 'SYSTEMS' });
      expect(res.status).toBe(303);
      expect((await u.get('/tags').expect(200)).text).toContain('Merged into &quot;Systems&quot;.');
      expect(await tagCounts(u)).toEqual({ GOLANG: 2, Speaker: 2, Systems: 3 });
      expect(await tagId(userId, 'systems')).toBe(systems);
      expect((await contactRow(p1))!.tags.map((x) => x.name)).toEqual(['GOLANG', 'Systems']);
      expect((await contactRow(p2))!.tags.map((x) => x.name)).toEqual(['GOLANG', 'Speaker', 'Systems']);
      expect(await names('?q=rust')).toEqual([]);
      expect(await names('?q=systems')).toEqual(['Pat One', 'Pat Three', 'Pat Two']);
    });

    it('deletes a tag and keeps the contacts', async () => {
      const systems = await tagId(userId, 'Systems');
      const res = await u.post(`/tags/${systems}/delete`);
      expect(res.status).toBe(303);
      expect(await tagCounts(u)).toEqual({ GOLANG: 2, Speaker: 2 });
      const [links] = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM contact_tags WHERE tag_id = ?', [systems]);
      expect(Number(links.n)).toBe(0);
      expect(await names('')).toEqual(['Pat One', 'Pat Three', 'Pat Two']);
      expect(await names('?q=systems')).toEqual([]);
    });

    it('rejects a rename to an empty or too long name and keeps the tag', async () => {
      const golang = await tagId(userId, 'golang');
      for (const name of ['', 'x'.repeat(51)]) {
        const res = await u.post(`/tags/${golang}`, { name });
        expect(res.status).toBe(422);
        expect(res.text).toMatch(/Enter a tag name\.|Use at most 50 characters\./);
      }
      expect(await tagCounts(u)).toEqual({ GOLANG: 2, Speaker: 2 });
    });
  });

  describe('list sorting and pagination (item 7)', () => {
    let u: Browser;
    const names: string[] = [];

    beforeAll(async () => {
      u = await Browser.signUp(t, 'Lee List');
      // mixed case, added in an order that is neither alphabetical nor reverse
      for (let i = 0; i < 30; i++) {
        const n = (i * 7) % 30;
        const name = `${n % 2 ? 'person' : 'Person'} ${String(n).padStart(2, '0')}`;
        setNow(new Date(Date.parse('2030-03-01T00:00:00Z') + i * 60_000));
        const id = await u.createContact({ name });
        names.push(name);
        // every third contact gets an interaction; later-added ones are contacted earlier
        if (i % 3 === 0) await u.logInteraction(id, { occurredAt: new Date(Date.parse('2030-02-28T00:00:00Z') - i * 3_600_000).toISOString() });
      }
    });

    it('sorts by name (ignoring case) and pages 25 at a time', async () => {
      const byName = [...names].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase()));
      const p1 = (await u.get('/contacts').expect(200)).text;
      expect(listedNames(p1)).toEqual(byName.slice(0, 25));
      expect(p1).toContain('1–25 of 30');
      expect(p1).toContain('Page 1 of 2');
      expect(htmlDecode(p1)).toContain('href="/contacts?page=2"');
      expect(p1).not.toContain('rel="prev"');
      const p2 = (await u.get('/contacts?page=2').expect(200)).text;
      expect(listedNames(p2)).toEqual(byName.slice(25));
      expect(p2).toContain('26–30 of 30');
      expect(htmlDecode(p2)).toContain('href="/contacts?page=1"');
      expect(p2).not.toContain('rel="next"');
    });

    it('sorts by date added, newest first, and keeps the sort across pages', async () => {
      const byCreated = [...names].reverse();
      const p1 = (await u.get('/contacts?sort=created').expect(200)).text;
      expect(listedNames(p1)).toEqual(byCreated.slice(0, 25));
      expect(htmlDecode(p1)).toContain('href="/contacts?sort=created&page=2"');
      const p2 = (await u.get('/contacts?sort=created&page=2').expect(200)).text;
      expect(listedNames(p2)).toEqual(byCreated.slice(25));
    });

    it('sorts by last interaction, most recent first, never-contacted last', async () => {
      const contacted = names.filter((_n, i) => i % 3 === 0); // in the order of their interactions, newest first
      const p1 = listedNames((await u.get('/contacts?sort=last').expect(200)).text);
      const p2 = listedNames((await u.get('/contacts?sort=last&page=2').expect(200)).text);
      const all = [...p1, ...p2];
      expect(all).toHaveLength(30);
      expect(all.slice(0, 10)).toEqual(contacted);
      expect(new Set(all)).toEqual(new Set(names));
    });

    it('combines search with pagination', async () => {
      const res = (await u.get('/contacts?q=person&sort=created').expect(200)).text;
      expect(res).toContain('30 matching');
      expect(htmlDecode(res)).toContain('href="/contacts?q=person&sort=created&page=2"');
    });
  });

  describe('dashboard (item 7)', () => {
    it('shows counts and sections that follow the data', async () => {
      const u = await Browser.signUp(t, 'Dee Dash');
      setNow('2030-05-05T12:00:00Z');
      let dash = (await u.get('/dashboard').expect(200)).text;
      // a new account gets the setup checklist, nothing ticked
      expect(dash).toContain('Set up DevHub');
      expect(dash).toContain('data-step="contacts" data-done="false"');
      expect(dash).toMatch(/<span class="stat-value">0<\/span><span class="stat-label">contacts/);
      expect(dash).toContain('Good afternoon, Dee');

      const id = await u.createContact({ name: 'Dash Contact', company: 'Dashco' });
      const overdue = await u.addFollowUp(id, { dueAt: '2030-05-01', note: 'overdue one' });
      await u.addFollowUp(id, { dueAt: '2030-05-05', note: 'today one' });
      await u.addFollowUp(id, { dueAt: '2030-05-20', note: 'later one' });
      dash = (await u.get('/dashboard').expect(200)).text;
      expect(dash).toContain('data-step="contacts" data-done="true"');
      expect(dash).toMatch(/<span class="stat-value">1<\/span><span class="stat-label">contacts/);
      expect(dash).toMatch(/<span class="stat-value">3<\/span><span class="stat-label">open follow-ups/);
      expect(dash).toMatch(/<span class="stat-value">2<\/span><span class="stat-label">need you today/);
      expect(dash).toMatch(/<li class="stat stat-alert"><a href="\/follow-ups\?show=overdue"><span class="stat-value">1<\/span>/);
      expect(dash).toContain('2 things need you today (1 overdue).');
      expect(dash).toContain('overdue one');
      expect(dash).toContain('today one');
      expect(dash).not.toContain('later one');
      expect(dash).toMatch(/Recently added[\s\S]*Dash Contact[\s\S]*Dashco/);

      const done = await u.post(`/follow-ups/${overdue}/done`, { returnTo: '/dashboard' });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/dashboard');
      dash = (await u.get('/dashboard').expect(200)).text;
      expect(dash).toMatch(/<span class="stat-value">2<\/span><span class="stat-label">open follow-ups/);
      expect(dash).toMatch(/<li class="stat"><a href="\/follow-ups\?show=overdue"><span class="stat-value">0<\/span>/);
      expect(dash).toContain('1 thing needs you today.');
      expect(dash).not.toContain('overdue one');
    });
  });

  describe('events in the outbox (item 9)', () => {
    let u: Browser;
    let userId: string;
    let key: string;

    beforeAll(async () => {
      u = await Browser.signUp(t, 'Eve Events');
      userId = await u.userId();
      key = await createApiKey(u.agent, 'read');
    });

    /** GET from the REST API with Eve's key: the resource "as the API shows it". */
    async function api(path: string) {
      const res = await request(t.app.getHttpServer()).get(path).set('Authorization', `Bearer ${key}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      return res.body;
    }
    const apiFollowUp = async (id: string) => {
      const all = [...(await api('/api/follow-ups?status=open&limit=100')).data, ...(await api('/api/follow-ups?status=done&limit=100')).data];
      return all.find((f: { id: string }) => f.id === id);
    };

    const seen = new Set<string>();
    /** Events written since the last call (types sorted: one transaction's events share a timestamp). */
    const newEvents = async () => {
      const fresh = (await outboxOf(t, userId)).filter((e) => !seen.has(e.id));
      for (const e of fresh) seen.add(e.id);
      return fresh.sort((x, y) => x.type.localeCompare(y.type));
    };

    it('records each change with the resource as the API shows it', async () => {
      setNow('2030-04-01T08:00:00Z');
      await newEvents();

      const id = await u.createContact({ name: 'Evan Event', email: 'evan@events.example', keepInTouchDays: '10' });
      let events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['contact.created', 'followup.created']);
      expect(events.find((e) => e.type === 'contact.created')!.payload).toEqual(await contactRow(id));
      expect(events.find((e) => e.type === 'contact.created')!.payload).toEqual(await api(`/api/contacts/${id}`));
      const cadence = (await followUpsOf(t, id))[0];
      expect(events.find((e) => e.type === 'followup.created')!.payload).toEqual(await followUpViewFromDb(t, cadence.id));
      expect(events.find((e) => e.type === 'followup.created')!.payload).toEqual(await apiFollowUp(cadence.id));

      setNow('2030-04-01T09:00:00Z');
      await u.editContact(id, { company: 'Eventful', isVip: ['false', 'true'] });
      events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['contact.updated']);
      expect(events[0].payload).toEqual(await contactRow(id));
      expect(events[0].payload).toEqual(await api(`/api/contacts/${id}`));
      expect(events[0].payload).toMatchObject({ company: 'Eventful', isVip: true, updatedAt: '2030-04-01T09:00:00.000Z' });

      setNow('2030-04-01T10:00:00Z');
      await u.addTag(id, 'Webhooks');
      events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['contact.updated']);
      expect(events[0].payload).toEqual(await contactRow(id));
      expect(events[0].payload).toEqual(await api(`/api/contacts/${id}`));
      expect((events[0].payload as { tags: unknown[] }).tags).toHaveLength(1);

      const interaction = await u.logInteraction(id, { type: 'call', occurredAt: '2030-04-01T07:30:00Z', summary: 'A call' });
      events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['interaction.created']);
      expect(events[0].payload).toEqual(await interactionViewFromDb(t, interaction));
      expect([events[0].payload]).toEqual((await api(`/api/contacts/${id}/interactions`)).data);
      expect(events[0].payload).toEqual({ id: interaction, contactId: id, type: 'call', occurredAt: '2030-04-01T07:30:00.000Z', summary: 'A call', url: null });

      const fu = await u.addFollowUp(id, { dueAt: '2030-04-05T09:00:00Z', note: 'Send the slides' });
      events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['followup.created']);
      expect(events[0].payload).toEqual(await followUpViewFromDb(t, fu));
      expect(events[0].payload).toEqual(await apiFollowUp(fu));
      expect(events[0].payload).toEqual({ id: fu, contactId: id, dueAt: '2030-04-05T09:00:00.000Z', note: 'Send the slides', status: 'open', completedAt: null });

      setNow('2030-04-02T09:00:00Z');
      expect((await u.post(`/follow-ups/${fu}/done`)).status).toBe(303);
      events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['followup.completed']);
      expect(events[0].payload).toEqual(await followUpViewFromDb(t, fu));
      expect(events[0].payload).toEqual(await apiFollowUp(fu));
      expect(events[0].payload).toMatchObject({ status: 'done', completedAt: '2030-04-02T09:00:00.000Z' });

      const before = await api(`/api/contacts/${id}`);
      expect(before).toEqual(await contactRow(id));
      expect((await u.post(`/contacts/${id}/delete`)).status).toBe(303);
      events = await newEvents();
      expect(events.map((e) => e.type)).toEqual(['contact.deleted']);
      expect(events[0].payload).toEqual(before);
      expect(await contactRow(id)).toBeNull();
    });

    it('writes no event and no change when the change fails after the event was recorded', async () => {
      setNow('2030-04-03T08:00:00Z');
      const id = await u.createContact({ name: 'Tx Target', keepInTouchDays: '5' });
      const fu = await u.addFollowUp(id, { dueAt: '2030-04-09', note: 'tx follow-up' });
      const real = OutboxService.prototype.record;
      const actions: Array<[string, () => Promise<{ status: number }>]> = [
        ['create a contact', () => u.post('/contacts', { name: 'Never Saved', duplicateAction: 'create' })],
        ['edit a contact', () => u.post(`/contacts/${id}`, { name: 'Never Renamed', keepInTouchDays: '9' })],
        ['tag a contact', () => u.post(`/contacts/${id}/tags`, { tag: 'NeverTagged' })],
        ['bulk-tag contacts', () => u.post('/contacts/bulk-tags', { ids: [id], tag: 'NeverBulk', action: 'add' })],
        ['log an interaction', () => u.post(`/contacts/${id}/interactions`, { type: 'call', summary: 'never logged' })],
        ['schedule a follow-up', () => u.post(`/contacts/${id}/follow-ups`, { dueAt: '2030-05-01', note: 'never scheduled' })],
        ['complete a follow-up', () => u.post(`/follow-ups/${fu}/done`)],
        ['delete a contact', () => u.post(`/contacts/${id}/delete`)],
      ];
      for (const [what, act] of actions) {
        const before = await snapshotCrm(t);
        const spy = jest.spyOn(OutboxService.prototype, 'record').mockImplementation(async function (this: OutboxService, ...args) {
          await real.apply(this, args);
          throw new Error('crash after the event was recorded');
        });
        try {
          const res = await act();
          expect({ what, status: res.status }).toEqual({ what, status: 500 });
          expect(spy).toHaveBeenCalled();
        } finally {
          spy.mockRestore();
        }
        expect({ what, after: await snapshotCrm(t) }).toEqual({ what, after: before });
      }
    });

    it('rolls back the contact and its event when the cadence fails', async () => {
      const before = await snapshotCrm(t);
      const spy = jest.spyOn(CadenceService.prototype, 'sync').mockRejectedValueOnce(new Error('cadence is down'));
      const res = await u.post('/contacts', { name: 'Cadence Crash', keepInTouchDays: '3', duplicateAction: 'create' });
      expect(res.status).toBe(500);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(await snapshotCrm(t)).toEqual(before);
      const [n] = await sql<{ n: number | string }>(t, `SELECT COUNT(*) AS n FROM outbox_events WHERE payload LIKE ?`, ['%Cadence Crash%']);
      expect(Number(n.n)).toBe(0);
    });

    it('rolls back a merge when reindexing fails half-way', async () => {
      const keep = await u.createContact({ name: 'Merge Keep', email: 'mk@events.example' });
      const other = await u.createContact({ name: 'Merge Other', email: 'mk@events.example' });
      await u.logInteraction(other, { summary: 'belongs to other' });
      const before = await snapshotCrm(t);
      const spy = jest.spyOn(ContactsRepository.prototype, 'reindex').mockRejectedValueOnce(new Error('index is down'));
      const res = await u.post(`/contacts/${keep}/merge`, { otherId: other });
      expect(res.status).toBe(500);
      expect(spy).toHaveBeenCalled();
      expect(await snapshotCrm(t)).toEqual(before);
    });
  });
});
