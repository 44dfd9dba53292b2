import request from 'supertest';
import { generateApiKey } from '../../src/api-keys/api-key-format';
import { ApiClient, ApiUser, apiUser, BAD_IDS, createApiKey, expectError, MISSING_ID, param, revokeApiKey, seedContact } from '../support/api';
import { startTestApp, TestApp, waitFor } from '../support/test-app';

/** 400, 401, 403 and 404 for each kind of route, revocation and scope; never a 500. */
describe('REST API errors', () => {
  let t: TestApp;
  let u: ApiUser;
  let ids: Awaited<ReturnType<typeof seedContact>>;

  const http = () => request(t.app.getHttpServer());
  const count = async (table: string) => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_FREE: '100000' });
    u = await apiUser(t);
    ids = await seedContact(u.write);
  });
  afterAll(async () => {
    await t.drop();
  });

  /** One route of each kind and every write route, with a valid body. */
  const writes = () => [
    { method: 'post', path: '/api/contacts', body: { name: 'New Person' } },
    { method: 'patch', path: `/api/contacts/${ids.contactId}`, body: { title: 'Changed' } },
    { method: 'post', path: `/api/contacts/${ids.contactId}/interactions`, body: { type: 'call' } },
    { method: 'post', path: '/api/follow-ups', body: { contactId: ids.contactId, dueAt: '2026-05-01' } },
    { method: 'patch', path: `/api/follow-ups/${ids.followUpId}`, body: { note: 'Changed' } },
    { method: 'post', path: '/api/tags', body: { name: 'brand-new' } },
    { method: 'post', path: `/api/contacts/${ids.contactId}/tags`, body: { tag: 'another' } },
    { method: 'delete', path: `/api/contacts/${ids.contactId}/tags/${ids.tagId}` },
    { method: 'delete', path: `/api/follow-ups/${ids.followUpId}` },
    { method: 'delete', path: `/api/tags/${ids.tagId}` },
    { method: 'delete', path: `/api/contacts/${ids.contactId}` },
  ];
  const reads = () => [
    '/api/me',
    '/api/contacts',
    `/api/contacts/${ids.contactId}`,
    `/api/contacts/${ids.contactId}/interactions`,
    '/api/interactions',
    '/api/follow-ups',
    '/api/tags',
  ];
  const send = (client: ApiClient | null, r: { method: string; path: string; body?: object }) => {
    if (client) return (client as unknown as Record<string, (p: string, b?: object) => request.Test>)[r.method](r.path, r.body);
    const req = (http() as unknown as Record<string, (p: string) => request.Test>)[r.method](r.path);
    return r.body ? req.send(r.body) : req;
  };

  describe('400: bad or unknown fields, never stripped silently', () => {
    it('names unknown body fields on create and update', async () => {
      const before = await count('contacts');
      expectError(await u.write.post('/api/contacts', { name: 'X', favouriteColour: 'blue', shoeSize: 9 }), 400, /property favouriteColour should not exist; property shoeSize should not exist/);
      expectError(await u.write.patch(`/api/contacts/${ids.contactId}`, { id: 'forged', userId: 'someone' }), 400, 'property id should not exist');
      expectError(await u.write.post(`/api/contacts/${ids.contactId}/interactions`, { type: 'call', contactId: ids.contactId }), 400, 'property contactId should not exist');
      expectError(await u.write.post('/api/follow-ups', { contactId: ids.contactId, dueAt: '2026-05-01', status: 'done' }), 400, 'property status should not exist');
      expectError(await u.write.post('/api/tags', { name: 'x', colour: 'red' }), 400, 'property colour should not exist');
      expectError(await u.write.post(`/api/contacts/${ids.contactId}/tags`, { tag: 'x', name: 'y' }), 400, 'property name should not exist');
      expect(await count('contacts')).toBe(before);
    });

    it('names missing and invalid fields', async () => {
      expectError(await u.write.post('/api/contacts', {}), 400, 'name is required');
      expectError(await u.write.post('/api/contacts', { name: 42 }), 400, /^name: /);
      expectError(await u.write.post('/api/contacts', { name: 'X', email: 'not-an-email' }), 400, /^email: /);
      expectError(await u.write.post('/api/contacts', { name: 'X', keepInTouchDays: 9000 }), 400, /^keepInTouchDays: /);
      expectError(await u.write.post('/api/contacts', { name: 'X', website: 'javascript:alert(1)' }), 400, /^website: /);
      expectError(await u.write.post('/api/contacts', { name: 'x'.repeat(201) }), 400, /^name: /);
      expectError(await u.write.post(`/api/contacts/${ids.contactId}/interactions`, { type: 'telepathy' }), 400, /^type: /);
      expectError(await u.write.post(`/api/contacts/${ids.contactId}/interactions`, { type: 'call', occurredAt: 'yesterday-ish' }), 400, /occurredAt/);
      expectError(await u.write.post('/api/follow-ups', { dueAt: '2026-05-01' }), 400, 'contactId is required');
      expectError(await u.write.post('/api/follow-ups', { contactId: 'nope', dueAt: '2026-05-01' }), 400, /contactId/);
      expectError(await u.write.post('/api/follow-ups', { contactId: ids.contactId, dueAt: 'whenever' }), 400, /dueAt/);
      expectError(await u.write.patch(`/api/follow-ups/${ids.followUpId}`, { status: 'archived' }), 400, /^status must be one of/);
      expectError(await u.write.post('/api/tags', { name: '   ' }), 400, /name/);
      expectError(await u.write.post(`/api/contacts/${ids.contactId}/tags`, {}), 400, 'tag is required');
      // PostgreSQL refuses NUL in text: a 400, never a 500
      expectError(await u.write.post('/api/contacts', { name: 'Nul\u0000Byte' }), 400, /^name: /);
      expectError(await u.write.patch(`/api/contacts/${ids.contactId}`, { notes: 'a\u0000b' }), 400, /^notes: /);
      expectError(await u.write.post(`/api/contacts/${ids.contactId}/interactions`, { type: 'call', summary: '\u0000' }), 400, /^summary: /);
      expect((await u.read.get('/api/contacts?q=a%00b').expect(200)).body.total).toBe(0);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=abc', 'offset'],
      ['offset=1e20', 'offset'],
      ['sort=name', 'property sort should not exist'],
      ['q[$ne]=1', 'should not exist'],
    ])('GET list ?%s is a 400 naming %s', async (query, mentions) => {
      for (const path of ['/api/contacts', '/api/interactions', '/api/follow-ups', '/api/tags', `/api/contacts/${ids.contactId}/interactions`]) {
        expectError(await u.read.get(`${path}?${query}`), 400, mentions);
      }
    });

    it('refuses unknown query parameters on routes that take none', async () => {
      expectError(await u.read.get('/api/me?verbose=1'), 400, 'property verbose should not exist');
      expectError(await u.read.get(`/api/contacts/${ids.contactId}?fields=name`), 400, 'property fields should not exist');
      expectError(await u.write.delete(`/api/contacts/${ids.contactId}?force=true`), 400, 'property force should not exist');
      expectError(await u.read.get('/api/follow-ups?status=later'), 400, /^status must be one of/);
      expectError(await u.read.get(`/api/contacts?q=${'x'.repeat(201)}`), 400, /^q must be shorter/);
      await u.read.get(`/api/contacts/${ids.contactId}`).expect(200);
    });

    it('malformed JSON, a non-object body, a wrong content type and an oversized body are 4xx, and change nothing', async () => {
      const before = await count('contacts');
      const auth = { Authorization: `Bearer ${u.write.key}` };
      expectError(await http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send('{"name": "Half'), 400, 'not valid JSON');
      expectError(await http().patch(`/api/contacts/${ids.contactId}`).set(auth).set('Content-Type', 'application/json').send('{name: 1}'), 400, 'not valid JSON');
      expectError(await http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send('"just a string"'), 400);
      expectError(await http().post('/api/contacts').set(auth).send([{ name: 'In an array' }]), 400, 'must be a JSON object, not an array');
      expectError(await http().post('/api/contacts').set(auth).set('Content-Type', 'text/plain').send('{"name":"Plain"}'), 415, 'application/json');
      expectError(await http().post('/api/contacts').set(auth).type('form').send({ name: 'Form' }), 415, 'application/json');
      expectError(await http().patch(`/api/contacts/${ids.contactId}`).set(auth).set('Content-Type', 'application/xml').send('<name>x</name>'), 415);
      const big = JSON.stringify({ name: 'Big', notes: 'a'.repeat(1024 * 1024) });
      expectError(await http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send(big), 413, 'larger than the 1 MB limit');
      expectError(await http().get('/api/contacts/%E0%A4%A').set(auth), 400);
      // a body just under the limit is fine (and then validated)
      expectError(await http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send(JSON.stringify({ name: 'Near', notes: 'a'.repeat(1000 * 1000) })), 400, /^notes: /);
      expect(await count('contacts')).toBe(before);
    });
  });

  describe('401: no key, bad key, revoked key; cookies never authenticate /api', () => {
    const badAuth = (): Array<[string, Record<string, string>]> => [
      ['no Authorization header', {}],
      ['an empty bearer', { Authorization: 'Bearer ' }],
      ['a malformed key', { Authorization: 'Bearer dh_not-a-real-key' }],
      ['a well-formed key that was never issued', { Authorization: `Bearer ${generateApiKey()}` }],
      ['the key in Basic auth', { Authorization: `Basic ${Buffer.from(`${u.write.key}:`).toString('base64')}` }],
      ['the key with a changed checksum', { Authorization: `Bearer ${u.write.key.slice(0, -1)}${u.write.key.endsWith('A') ? 'B' : 'A'}` }],
    ];

    it('every route refuses a request without a valid key', async () => {
      for (const [, headers] of badAuth()) {
        for (const path of reads()) expectError(await http().get(path).set(headers), 401);
        for (const w of writes()) expectError(await send(null, w).set(headers), 401);
      }
      expect((await u.read.get(`/api/contacts/${ids.contactId}`).expect(200)).body.tags).toHaveLength(1);
    });

    it('says why: missing or invalid', async () => {
      expectError(await http().get('/api/contacts'), 401, 'Authorization: Bearer');
      expectError(await http().get('/api/contacts').set('Authorization', `Bearer ${generateApiKey()}`), 401, 'invalid or has been revoked');
    });

    it('a signed-in session cookie does not authenticate /api, and writes need no CSRF token', async () => {
      expectError(await u.agent.get('/api/contacts'), 401);
      expectError(await u.agent.post('/api/contacts').send({ name: 'Via cookie' }), 401);
      // the bearer key alone is enough for a write: no _csrf, no cookie
      const res = await http().post('/api/contacts').set('Authorization', `Bearer ${u.write.key}`).send({ name: 'No CSRF needed' }).expect(201);
      await u.write.delete(`/api/contacts/${res.body.id}`).expect(204);
    });

    it('a revoked key fails on its very next request; the user’s other keys go on', async () => {
      const agent = u.agent;
      const key = new ApiClient(t, await createApiKey(agent, 'write', 'to revoke'));
      const stored = async () => (await t.dataSource.query(`SELECT key_hash, prefix, last_used_at, revoked_at FROM api_keys WHERE prefix = ${param(t, 1)}`, [key.key.slice(0, 10)]))[0];
      expect((await stored()).last_used_at).toBeNull();
      await key.get('/api/me').expect(200);
      // last-used time is written off the request path
      const used = await waitFor(async () => ((await stored()).last_used_at ? stored() : undefined), 'last_used_at');
      expect(used.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(used.key_hash).not.toContain(key.key.slice(3));
      expect(used.revoked_at).toBeNull();
      // and the list shows it
      expect((await agent.get('/settings/api-keys').expect(200)).text).toMatch(new RegExp(`${key.key.slice(0, 10)}…</code></td>\\s*<td data-label="Scope"><span class="badge">write</span></td>\\s*<td data-label="Last used"><time datetime=`));

      await revokeApiKey(agent, key.key);
      expectError(await key.get('/api/me'), 401, 'revoked');
      expectError(await key.post('/api/contacts', { name: 'After revoke' }), 401);
      await u.write.get('/api/me').expect(200);
      const page = await agent.get('/settings/api-keys').expect(200);
      expect(page.text).toContain(key.key.slice(0, 10));
      expect(page.text).not.toContain(key.key);
      expect((await stored()).revoked_at).not.toBeNull();
    });
  });

  describe('403: a read key cannot write', () => {
    it('every write route refuses a read key and changes nothing; reads work', async () => {
      const before = await Promise.all(['contacts', 'interactions', 'follow_ups', 'tags', 'contact_tags'].map(count));
      for (const w of writes()) expectError(await send(u.read, w), 403, 'read-only');
      expect(await Promise.all(['contacts', 'interactions', 'follow_ups', 'tags', 'contact_tags'].map(count))).toEqual(before);
      const contact = await u.read.get(`/api/contacts/${ids.contactId}`).expect(200);
      expect(contact.body.title).toBeNull();
      for (const path of reads()) await u.read.get(path).expect(200);
    });

    it('scope is checked before the body: a read key gets 403 even with a bad body', async () => {
      expectError(await u.read.post('/api/contacts', { nope: true }), 403);
    });
  });

  describe('404: unknown ids and unknown routes, never a 500', () => {
    const idRoutes = (id: string) => [
      { method: 'get', path: `/api/contacts/${id}` },
      { method: 'patch', path: `/api/contacts/${id}`, body: { title: 'x' } },
      { method: 'delete', path: `/api/contacts/${id}` },
      { method: 'get', path: `/api/contacts/${id}/interactions` },
      { method: 'post', path: `/api/contacts/${id}/interactions`, body: { type: 'call' } },
      { method: 'patch', path: `/api/follow-ups/${id}`, body: { note: 'x' } },
      { method: 'delete', path: `/api/follow-ups/${id}` },
      { method: 'delete', path: `/api/tags/${id}` },
      { method: 'post', path: `/api/contacts/${id}/tags`, body: { tag: 'x' } },
      { method: 'delete', path: `/api/contacts/${id}/tags/${ids.tagId}` },
      { method: 'delete', path: `/api/contacts/${ids.contactId}/tags/${id}` },
    ];

    it.each([MISSING_ID, ...BAD_IDS])('id %s is a 404 on every route that takes an id', async (raw) => {
      const id = raw.startsWith('%') ? raw : encodeURIComponent(raw);
      for (const r of idRoutes(id)) expectError(await send(u.write, r), 404, 'not found');
      expectError(await u.write.post('/api/follow-ups', { contactId: MISSING_ID, dueAt: '2026-05-01' }), 404, 'Contact not found');
    });

    it('unknown paths and methods under /api answer JSON 404s', async () => {
      expectError(await u.read.get('/api/nothing-here'), 404);
      expectError(await u.read.get('/api/contacts/a/b/c/d'), 404);
      expectError(await http().put(`/api/contacts/${ids.contactId}`).set('Authorization', `Bearer ${u.write.key}`).send({ name: 'x' }), 404);
      expectError(await http().get('/api/nothing-here'), 404);
    });

    it('the data survived all of the above', async () => {
      const contact = await u.read.get(`/api/contacts/${ids.contactId}`).expect(200);
      expect(contact.body.tags.map((x: { id: string }) => x.id)).toEqual([ids.tagId]);
      const followUps = await u.read.get('/api/follow-ups').expect(200);
      expect(followUps.body.data.map((f: { id: string }) => f.id)).toContain(ids.followUpId);
    });
  });

  it('logged no unexpected error', () => {
    expect(t.logs.filter((l) => /"level":"error"/.test(l))).toEqual([]);
  });
});
