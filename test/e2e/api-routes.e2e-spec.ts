import { ApiUser, apiUser, param, setPlan } from '../support/api';
import { startTestApp, TestApp } from '../support/test-app';

/** Happy path of every REST route: status, body and the database row. */
describe('REST API routes', () => {
  let t: TestApp;
  let u: ApiUser;

  const row = async (table: string, id: string) => (await t.dataSource.query(`SELECT * FROM ${table} WHERE id = ${param(t, 1)}`, [id]))[0];

  beforeAll(async () => {
    // this file makes many requests with one key; throttling has its own file
    t = await startTestApp({ RATE_LIMIT_FREE: '100000' });
    u = await apiUser(t, 'Ada Lovelace', 'ada@example.com');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('GET /api/me: the key owner, plan and current rate limit', async () => {
    const res = await u.write.get('/api/me').expect(200);
    expect(res.body).toEqual({
      id: u.userId,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      plan: 'free',
      timezone: expect.any(String),
      scope: 'write',
      rateLimit: { limit: 100000, windowSeconds: 60 },
    });
    expect((await u.read.get('/api/me').expect(200)).body.scope).toBe('read');
    await setPlan(t, u.userId, 'pro');
    expect((await u.write.get('/api/me').expect(200)).body).toMatchObject({ plan: 'pro', rateLimit: { limit: 1000 } });
    await setPlan(t, u.userId, 'free');
  });

  describe('contacts', () => {
    let id: string;

    it('POST /api/contacts creates a contact with every contract field', async () => {
      const res = await u.write
        .post('/api/contacts', {
          name: '  Grace Hopper ',
          email: 'Grace@Navy.example',
          phone: '+1 555 0100',
          company: 'US Navy',
          title: 'Rear Admiral',
          location: 'Arlington',
          githubUsername: 'https://github.com/GraceH',
          twitter: '@grace',
          linkedin: 'gracehopper',
          website: 'https://grace.example',
          notes: 'Invented the compiler',
          isVip: true,
          keepInTouchDays: 30,
        })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Grace Hopper',
        email: 'grace@navy.example',
        phone: '+1 555 0100',
        company: 'US Navy',
        title: 'Rear Admiral',
        location: 'Arlington',
        githubUsername: 'graceh',
        twitter: 'grace',
        linkedin: 'gracehopper',
        website: 'https://grace.example',
        notes: 'Invented the compiler',
        isVip: true,
        keepInTouchDays: 30,
        lastInteractionAt: null,
        activityScore: null,
        tags: [],
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        updatedAt: expect.any(String),
      });
      id = res.body.id;
      const db = await row('contacts', id);
      expect(db).toMatchObject({ user_id: u.userId, name: 'Grace Hopper', email: 'grace@navy.example', github_username: 'graceh' });
      const events = await t.dataSource.query(`SELECT type FROM outbox_events WHERE user_id = ${param(t, 1)}`, [u.userId]);
      expect(events.map((e: { type: string }) => e.type)).toContain('contact.created');
    });

    it('GET /api/contacts/:id returns it', async () => {
      const res = await u.read.get(`/api/contacts/${id}`).expect(200);
      expect(res.body).toMatchObject({ id, name: 'Grace Hopper', isVip: true, tags: [] });
    });

    it('PATCH /api/contacts/:id changes only the fields sent; null clears one', async () => {
      const res = await u.write.patch(`/api/contacts/${id}`, { title: 'Commodore', phone: null }).expect(200);
      expect(res.body).toMatchObject({ id, name: 'Grace Hopper', title: 'Commodore', phone: null, isVip: true, keepInTouchDays: 30, company: 'US Navy' });
      expect(await row('contacts', id)).toMatchObject({ title: 'Commodore', phone: null, company: 'US Navy' });
    });

    it('GET /api/contacts lists with the envelope, searches with q, filters by tag, paginates', async () => {
      for (const name of ['Alan Turing', 'Barbara Liskov', 'Edsger Dijkstra']) await u.write.post('/api/contacts', { name, company: 'Computing' }).expect(201);
      const all = await u.read.get('/api/contacts').expect(200);
      expect(all.body).toMatchObject({ total: 4, limit: 20, offset: 0 });
      expect(all.body.data.map((c: { name: string }) => c.name)).toEqual(['Alan Turing', 'Barbara Liskov', 'Edsger Dijkstra', 'Grace Hopper']);

      const page = await u.read.get('/api/contacts?limit=2&offset=1').expect(200);
      expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(['Barbara Liskov', 'Edsger Dijkstra']);

      const search = await u.read.get('/api/contacts?q=lisk').expect(200);
      expect(search.body.data.map((c: { name: string }) => c.name)).toEqual(['Barbara Liskov']);
      expect(search.body.total).toBe(1);

      await u.write.post(`/api/contacts/${id}/tags`, { tag: 'Compilers' }).expect(201);
      const tagged = await u.read.get('/api/contacts?tag=compilers').expect(200);
      expect(tagged.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
      expect(tagged.body.data[0].tags).toEqual([{ id: expect.any(String), name: 'Compilers' }]);
      expect((await u.read.get('/api/contacts?tag=compilers&tag=nothing-has-this').expect(200)).body).toEqual({ data: [], total: 0, limit: 20, offset: 0 });
      expect((await u.read.get('/api/contacts?offset=10').expect(200)).body).toMatchObject({ data: [], total: 4, offset: 10 });
    });

    it('interactions: POST and GET /api/contacts/:id/interactions, GET /api/interactions', async () => {
      const created = await u.write.post(`/api/contacts/${id}/interactions`, { type: 'meeting', summary: 'Coffee about COBOL', occurredAt: '2026-01-05T15:30:00Z' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(String), contactId: id, type: 'meeting', occurredAt: '2026-01-05T15:30:00.000Z', summary: 'Coffee about COBOL', url: null });
      expect(await row('interactions', created.body.id)).toMatchObject({ contact_id: id, user_id: u.userId, type: 'meeting', summary: 'Coffee about COBOL' });
      await u.write.post(`/api/contacts/${id}/interactions`, { type: 'email' }).expect(201);

      const forContact = await u.read.get(`/api/contacts/${id}/interactions?limit=1`).expect(200);
      expect(forContact.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
      expect(forContact.body.data).toHaveLength(1);
      expect(forContact.body.data[0]).toMatchObject({ type: 'email', summary: '' });

      const all = await u.read.get('/api/interactions').expect(200);
      expect(all.body.total).toBe(2);
      expect(all.body.data.map((i: { type: string }) => i.type)).toEqual(['email', 'meeting']);
      expect((await u.read.get(`/api/contacts/${id}`).expect(200)).body.lastInteractionAt).toBe(all.body.data[0].occurredAt);
    });

    it('follow-ups: POST, GET with status, PATCH to done and back, DELETE', async () => {
      const past = await u.write.post('/api/follow-ups', { contactId: id, dueAt: '2020-03-01T09:00:00Z', note: 'Long overdue' }).expect(201);
      expect(past.body).toEqual({ id: expect.any(String), contactId: id, dueAt: '2020-03-01T09:00:00.000Z', note: 'Long overdue', status: 'open', completedAt: null });
      expect(await row('follow_ups', past.body.id)).toMatchObject({ contact_id: id, user_id: u.userId, status: 'open', note: 'Long overdue' });
      const future = await u.write.post('/api/follow-ups', { contactId: id, dueAt: '2099-01-01T09:00:00Z' }).expect(201);

      const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((f) => f.id);
      expect(ids(await u.read.get('/api/follow-ups?status=due').expect(200))).toEqual([past.body.id]);
      expect(ids(await u.read.get('/api/follow-ups?status=open').expect(200))).toEqual(expect.arrayContaining([past.body.id, future.body.id]));

      const done = await u.write.patch(`/api/follow-ups/${past.body.id}`, { status: 'done' }).expect(200);
      expect(done.body).toMatchObject({ id: past.body.id, status: 'done', completedAt: expect.any(String) });
      expect(ids(await u.read.get('/api/follow-ups?status=done').expect(200))).toEqual([past.body.id]);
      expect(ids(await u.read.get('/api/follow-ups?status=due').expect(200))).toEqual([]);

      const moved = await u.write.patch(`/api/follow-ups/${future.body.id}`, { dueAt: '2098-06-01T12:00:00Z', note: 'Moved' }).expect(200);
      expect(moved.body).toMatchObject({ dueAt: '2098-06-01T12:00:00.000Z', note: 'Moved', status: 'open' });
      const reopened = await u.write.patch(`/api/follow-ups/${past.body.id}`, { status: 'open' }).expect(200);
      expect(reopened.body).toMatchObject({ status: 'open', completedAt: null });

      const all = await u.read.get('/api/follow-ups').expect(200);
      expect(all.body).toMatchObject({ limit: 20, offset: 0 });
      expect(all.body.total).toBeGreaterThanOrEqual(2);

      const del = await u.write.delete(`/api/follow-ups/${future.body.id}`).expect(204);
      expect(del.text).toBe('');
      expect(await row('follow_ups', future.body.id)).toBeUndefined();
    });

    it('tags: GET, POST, POST/DELETE on a contact, DELETE', async () => {
      const created = await u.write.post('/api/tags', { name: 'Navy' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(String), name: 'Navy', contactCount: 0 });
      expect(await row('tags', created.body.id)).toMatchObject({ user_id: u.userId, name: 'Navy' });

      const withTag = await u.write.post(`/api/contacts/${id}/tags`, { tag: 'navy' }).expect(201);
      expect(withTag.body.id).toBe(id);
      expect(withTag.body.tags.map((x: { name: string }) => x.name)).toEqual(['Compilers', 'Navy']);

      const list = await u.read.get('/api/tags').expect(200);
      expect(list.body).toEqual({
        data: [
          { id: expect.any(String), name: 'Compilers', contactCount: 1 },
          { id: created.body.id, name: 'Navy', contactCount: 1 },
        ],
        total: 2,
        limit: 20,
        offset: 0,
      });
      expect((await u.read.get('/api/tags?limit=1&offset=1').expect(200)).body).toMatchObject({ data: [{ name: 'Navy' }], total: 2, limit: 1, offset: 1 });

      await u.write.delete(`/api/contacts/${id}/tags/${created.body.id}`).expect(204);
      expect((await u.read.get(`/api/contacts/${id}`).expect(200)).body.tags.map((x: { name: string }) => x.name)).toEqual(['Compilers']);
      const links = await t.dataSource.query(`SELECT * FROM contact_tags WHERE contact_id = ${param(t, 1)}`, [id]);
      expect(links).toHaveLength(1);

      await u.write.delete(`/api/tags/${created.body.id}`).expect(204);
      expect(await row('tags', created.body.id)).toBeUndefined();
      expect((await u.read.get('/api/tags').expect(200)).body.total).toBe(1);
    });

    it('DELETE /api/contacts/:id removes it and its interactions', async () => {
      await u.write.delete(`/api/contacts/${id}`).expect(204);
      expect(await row('contacts', id)).toBeUndefined();
      expect(await t.dataSource.query(`SELECT id FROM interactions WHERE contact_id = ${param(t, 1)}`, [id])).toEqual([]);
      await u.read.get(`/api/contacts/${id}`).expect(404);
      expect((await u.read.get('/api/contacts').expect(200)).body.total).toBe(3);
    });
  });

  it('API responses set no cookie and JSON content type', async () => {
    const res = await u.write.post('/api/contacts', { name: 'Cookie Monster' }).expect(201);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});
