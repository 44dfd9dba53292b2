import request from 'supertest';
import { ApiClient, ApiUser, apiUser, createApiKey, expectError, rateHeaders, setPlan } from '../support/api';
import { signUp, startTestApp, TestApp } from '../support/test-app';

const count = async (t: TestApp, table: string) => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

/** A new account and a key, without spending any of its API budget (apiUser calls /api/me). */
async function freshAccount(t: TestApp, name: string, scope: 'read' | 'write' = 'write') {
  const agent = t.agent();
  const email = `fresh-${Math.random().toString(36).slice(2, 10)}@example.com`;
  await signUp(agent, { name, email });
  const [row] = await t.dataSource.query(`SELECT id FROM users WHERE email = '${email}'`);
  return { agent, userId: row.id as string, key: new ApiClient(t, await createApiKey(agent, scope, `${name} key`)) };
}

/** Moves the throttler's clock (it reads Date.now) forward, without sleeping. */
function advanceTime(ms: number) {
  const real = Date.now.bind(Date);
  return jest.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

describe('REST API rate limits', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('with the default limits (RATE_LIMIT_FREE=100, RATE_LIMIT_PAID=1000)', () => {
    let t: TestApp;
    let free: ApiUser;
    let paid: ApiUser;

    beforeAll(async () => {
      t = await startTestApp();
      free = await apiUser(t, 'Free Plan');
      paid = await apiUser(t, 'Pro Plan');
      await setPlan(t, paid.userId, 'pro');
    });
    afterAll(async () => {
      await t.drop();
    });

    it('every kind of response carries X-RateLimit-* and counts against the account\'s one budget', async () => {
      const { key } = await freshAccount(t, 'Headers');
      const auth = { Authorization: `Bearer ${key.key}` };
      const http = () => request(t.app.getHttpServer());
      const created = await key.post('/api/contacts', { name: 'Counted' });
      const responses: Array<[string, request.Response]> = [
        ['201', created],
        ['200 list', await key.get('/api/contacts')],
        ['200 item', await key.get(`/api/contacts/${created.body.id}`)],
        ['400 validation', await key.post('/api/contacts', { nope: 1 })],
        ['404 id', await key.get('/api/contacts/00000000-0000-4000-8000-000000000000')],
        ['404 route', await key.get('/api/no-such-route')],
        ['400 malformed JSON', await http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send('{"name"')],
        ['413 too large', await http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(1_100_000) }))],
        ['415 content type', await http().post('/api/contacts').set(auth).set('Content-Type', 'text/plain').send('name')],
        ['204', await key.delete(`/api/contacts/${created.body.id}`)],
      ];
      expect(responses.map(([label, r]) => `${label} ${r.status}`)).toEqual(responses.map(([label]) => `${label} ${label.slice(0, 3)}`));
      responses.forEach(([label, res], i) => {
        const h = rateHeaders(res);
        expect({ label, ...h, reset: h.reset > 0 && h.reset <= 60 }).toEqual({ label, limit: 100, remaining: 100 - (i + 1), reset: true });
        expect(res.headers['retry-after']).toBeUndefined();
      });
    });

    it('401 and 403 answers carry the headers too', async () => {
      const noKey = await request(t.app.getHttpServer()).get('/api/contacts');
      expectError(noKey, 401);
      expect(rateHeaders(noKey).limit).toBe(100);
      const readOnly = await free.read.post('/api/contacts', { name: 'x' });
      expectError(readOnly, 403);
      expect(rateHeaders(readOnly).limit).toBe(100);
    });

    it('two keys of one free account get 100 requests a minute in total; a paid account goes on', async () => {
      const account = await freshAccount(t, 'Two Keys');
      const freeKey = account.key;
      const secondKey = new ApiClient(t, await createApiKey(account.agent, 'read', 'second'));
      for (let i = 1; i <= 100; i++) {
        const res = await (i % 2 ? freeKey.get('/api/contacts') : secondKey.get('/api/me')).expect(200);
        // the headers report the account's budget, whichever key was used
        expect(rateHeaders(res).remaining).toBe(100 - i);
      }
      const refused = await secondKey.get('/api/contacts');
      expectError(refused, 429, 'Rate limit exceeded: 100 requests per minute');
      expect(rateHeaders(refused)).toMatchObject({ limit: 100, remaining: 0 });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);

      const before = await count(t, 'contacts');
      expectError(await freeKey.post('/api/contacts', { name: 'Over the limit' }), 429);
      expect(await count(t, 'contacts')).toBe(before);

      // the paid key of another user is not affected, and has the paid limit
      for (let i = 1; i <= 150; i++) await paid.read.get('/api/contacts').expect(200);
      const paidRes = await paid.read.get('/api/me').expect(200);
      // apiUser's own /api/me call counted too: one budget for the account
      expect(rateHeaders(paidRes)).toMatchObject({ limit: 1000, remaining: 1000 - 152 });
      expect(paidRes.body.rateLimit.limit).toBe(1000);

      // a key made now shares the spent budget: more keys do not multiply the limit
      const third = new ApiClient(t, await createApiKey(account.agent, 'read', 'third'));
      expectError(await third.get('/api/contacts'), 429);
      // another free account has its own budget
      expect(rateHeaders(await free.read.get('/api/contacts').expect(200)).limit).toBe(100);

      // a minute later the window has passed
      advanceTime(61_000);
      const later = await freeKey.get('/api/contacts').expect(200);
      expect(rateHeaders(later)).toMatchObject({ limit: 100, remaining: 99 });
    });

    it('premium counts as paid; the plan is read on every request', async () => {
      const premium = await apiUser(t, 'Premium Plan');
      expect(rateHeaders(await premium.read.get('/api/me').expect(200)).limit).toBe(100);
      await setPlan(t, premium.userId, 'premium');
      expect(rateHeaders(await premium.read.get('/api/me').expect(200)).limit).toBe(1000);
    });
  });

  describe('with low limits (RATE_LIMIT_FREE=3, RATE_LIMIT_PAID=5)', () => {
    let t: TestApp;
    let u: ApiUser;
    let contactId: string;
    let followUpId: string;
    let tagId: string;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_FREE: '3', RATE_LIMIT_PAID: '5' });
      u = await apiUser(t, 'Low Limit');
      await setPlan(t, u.userId, 'pro');
      const c = await u.write.post('/api/contacts', { name: 'Target' }).expect(201);
      contactId = c.body.id;
      followUpId = (await u.write.post('/api/follow-ups', { contactId, dueAt: '2026-04-01' }).expect(201)).body.id;
      tagId = (await u.write.post(`/api/contacts/${contactId}/tags`, { tag: 'kept' }).expect(201)).body.tags[0].id;
      await setPlan(t, u.userId, 'free');
    });
    afterAll(async () => {
      await t.drop();
    });

    it('answers 429 with Retry-After on every kind of route once the account is over its limit, and changes nothing', async () => {
      // the setup spent 4 requests of the account (then on pro); on free the limit is 3, and a new key shares the count
      const key = new ApiClient(t, await createApiKey(u.agent, 'write', 'exhaust'));
      const before = await Promise.all(['contacts', 'interactions', 'follow_ups', 'tags', 'contact_tags'].map((x) => count(t, x)));
      const http = () => request(t.app.getHttpServer());
      const auth = { Authorization: `Bearer ${key.key}` };
      const attempts: Array<[string, () => request.Test | Promise<request.Response>]> = [
        ['GET list', () => key.get('/api/contacts')],
        ['GET item', () => key.get(`/api/contacts/${contactId}`)],
        ['GET nested list', () => key.get(`/api/contacts/${contactId}/interactions`)],
        ['POST', () => key.post('/api/contacts', { name: 'Blocked' })],
        ['POST nested', () => key.post(`/api/contacts/${contactId}/interactions`, { type: 'call' })],
        ['PATCH', () => key.patch(`/api/follow-ups/${followUpId}`, { status: 'done' })],
        ['DELETE', () => key.delete(`/api/contacts/${contactId}/tags/${tagId}`)],
        ['DELETE item', () => key.delete(`/api/contacts/${contactId}`)],
        ['me', () => key.get('/api/me')],
        ['unknown route', () => key.get('/api/unknown')],
        ['malformed JSON', () => http().post('/api/contacts').set(auth).set('Content-Type', 'application/json').send('{')],
      ];
      for (const [label, run] of attempts) {
        const res = await run();
        expect(`${label} ${res.status}`).toBe(`${label} 429`);
        expectError(res, 429);
        expect(rateHeaders(res)).toMatchObject({ limit: 3, remaining: 0 });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(await Promise.all(['contacts', 'interactions', 'follow_ups', 'tags', 'contact_tags'].map((x) => count(t, x)))).toEqual(before);
    });

    it('RATE_LIMIT_PAID applies to pro accounts', async () => {
      const { userId, key } = await freshAccount(t, 'Pro Account', 'read');
      await setPlan(t, userId, 'pro');
      for (let i = 1; i <= 5; i++) expect(rateHeaders(await key.get('/api/me').expect(200))).toMatchObject({ limit: 5, remaining: 5 - i });
      expectError(await key.get('/api/me'), 429);
    });

    it('limits requests without a valid key per client IP, ignoring X-Forwarded-For without TRUST_PROXY', async () => {
      const http = () => request(t.app.getHttpServer());
      // no key, a bad key and a revoked-looking key all count against the caller's IP
      expectError(await http().get('/api/contacts'), 401);
      expectError(await http().get('/api/contacts').set('Authorization', 'Bearer dh_wrong'), 401);
      const third = await http().get('/api/me').set('X-Forwarded-For', '198.51.100.7');
      expectError(third, 401);
      expect(rateHeaders(third)).toMatchObject({ limit: 3, remaining: 0 });
      const refused = await http().get('/api/contacts').set('X-Forwarded-For', '198.51.100.8');
      expectError(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // a valid key from the same address is counted on its own account
      const { key } = await freshAccount(t, 'Same IP', 'read');
      expect(rateHeaders(await key.get('/api/me').expect(200)).remaining).toBe(2);
    });
  });

  it('with TRUST_PROXY, X-Forwarded-For tells clients apart', async () => {
    const t = await startTestApp({ RATE_LIMIT_FREE: '2', TRUST_PROXY: '1' });
    try {
      const http = () => request(t.app.getHttpServer());
      for (let i = 0; i < 2; i++) expectError(await http().get('/api/contacts').set('X-Forwarded-For', '203.0.113.1'), 401);
      expectError(await http().get('/api/contacts').set('X-Forwarded-For', '203.0.113.1'), 429);
      const other = await http().get('/api/contacts').set('X-Forwarded-For', '203.0.113.2');
      expectError(other, 401);
      expect(rateHeaders(other)).toMatchObject({ limit: 2, remaining: 1 });
    } finally {
      await t.drop();
    }
  });
});
