import { ApiUser, apiUser, expectError, param, seedContact } from '../support/api';
import { startTestApp, TestApp } from '../support/test-app';

/** A key of user B on user A's ids gets 404 everywhere, and B's lists never show A's data. */
describe('REST API isolation between users', () => {
  let t: TestApp;
  let a: ApiUser;
  let b: ApiUser;
  let aIds: Awaited<ReturnType<typeof seedContact>>;
  let bIds: Awaited<ReturnType<typeof seedContact>>;
  let snapshot: unknown;

  const aState = async () => ({
    contact: (await a.read.get(`/api/contacts/${aIds.contactId}`).expect(200)).body,
    interactions: (await a.read.get('/api/interactions').expect(200)).body,
    followUps: (await a.read.get('/api/follow-ups').expect(200)).body,
    tags: (await a.read.get('/api/tags').expect(200)).body,
  });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_FREE: '100000' });
    a = await apiUser(t, 'Alice Owner');
    b = await apiUser(t, 'Bob Other');
    aIds = await seedContact(a.write, 'Grace Hopper');
    bIds = await seedContact(b.write, 'Alan Turing');
    snapshot = await aState();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('B reads none of A’s resources', async () => {
    for (const path of [`/api/contacts/${aIds.contactId}`, `/api/contacts/${aIds.contactId}/interactions`]) {
      expectError(await b.read.get(path), 404, 'not found');
    }
  });

  it('B changes none of A’s resources, with any mix of A’s and B’s ids', async () => {
    const attempts: Array<[string, string, object | undefined]> = [
      ['patch', `/api/contacts/${aIds.contactId}`, { name: 'Hijacked' }],
      ['post', `/api/contacts/${aIds.contactId}/interactions`, { type: 'call', summary: 'Sneaky' }],
      ['post', '/api/follow-ups', { contactId: aIds.contactId, dueAt: '2026-05-01' }],
      ['patch', `/api/follow-ups/${aIds.followUpId}`, { status: 'done' }],
      ['delete', `/api/follow-ups/${aIds.followUpId}`, undefined],
      ['post', `/api/contacts/${aIds.contactId}/tags`, { tag: 'owned' }],
      ['delete', `/api/contacts/${aIds.contactId}/tags/${aIds.tagId}`, undefined],
      ['delete', `/api/contacts/${aIds.contactId}/tags/${bIds.tagId}`, undefined],
      ['delete', `/api/contacts/${bIds.contactId}/tags/${aIds.tagId}`, undefined],
      ['delete', `/api/tags/${aIds.tagId}`, undefined],
      ['delete', `/api/contacts/${aIds.contactId}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const res = await (b.write as unknown as Record<string, (p: string, b?: object) => Promise<{ status: number; body: unknown }>>)[method](path, body);
      expectError(res, 404, 'not found');
    }
    // a read key of B sees 404 too (not 403, which would confirm the id exists)
    expectError(await b.read.get(`/api/contacts/${aIds.contactId}`), 404);
  });

  it('B’s lists hold only B’s data, also when searching or filtering by A’s tag name', async () => {
    const contacts = await b.read.get('/api/contacts').expect(200);
    expect(contacts.body.data.map((c: { id: string }) => c.id)).toEqual([bIds.contactId]);
    expect(contacts.body.total).toBe(1);
    expect((await b.read.get('/api/contacts?q=grace').expect(200)).body).toMatchObject({ data: [], total: 0 });
    expect((await b.read.get('/api/interactions').expect(200)).body.data.map((i: { id: string }) => i.id)).toEqual([bIds.interactionId]);
    expect((await b.read.get('/api/follow-ups').expect(200)).body.data.map((f: { id: string }) => f.id)).toEqual([bIds.followUpId]);
    const tags = await b.read.get('/api/tags').expect(200);
    expect(tags.body.data.map((x: { id: string }) => x.id)).toEqual([bIds.tagId]);
    // both users have a "compilers" tag: B's filter finds only B's contact
    expect((await b.read.get('/api/contacts?tag=compilers').expect(200)).body.data.map((c: { id: string }) => c.id)).toEqual([bIds.contactId]);
    expect((await b.read.get('/api/me').expect(200)).body.id).toBe(b.userId);
  });

  it('A’s data is exactly as it was, in the API and in the database', async () => {
    expect(await aState()).toEqual(snapshot);
    const p = param(t, 1);
    const owners = await Promise.all(
      ['contacts', 'interactions', 'follow_ups', 'tags'].map(async (table) => (await t.dataSource.query(`SELECT DISTINCT user_id FROM ${table} WHERE user_id <> ${p}`, [b.userId])).map((r: { user_id: string }) => r.user_id)),
    );
    for (const o of owners) expect(o).toEqual([a.userId]);
    const bContacts = await t.dataSource.query(`SELECT id FROM contacts WHERE user_id = ${p}`, [b.userId]);
    expect(bContacts.map((r: { id: string }) => r.id)).toEqual([bIds.contactId]);
  });
});
