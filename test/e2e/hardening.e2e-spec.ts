import request from 'supertest';
import { DEMO_EMAIL, UsersService } from '../../src/auth/users.service';
import { ApiClient, createApiKey } from '../support/api';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

/** Smaller holes from the review: deep JSON, huge page numbers, anonymous sessions, headers, CSRF in the query, admin hand-over. */
describe('hardening', () => {
  let t: TestApp;
  const count = async (sql: string) => Number((await t.dataSource.query(sql))[0].n);

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses JSON nested deeper than 32 levels with a 400 before validation, even without a key, and logs no stack', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const res = await request(t.app.getHttpServer()).post('/api/contacts').set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'The request body is nested deeper than 32 levels.' });
    const page = await request(t.app.getHttpServer()).post('/login').set('Content-Type', 'application/json').send(deep);
    expect(page.status).toBe(400);
    expect(t.logs.join('\n')).not.toMatch(/RangeError|Maximum call stack/);
  });

  it('answers huge page numbers on every paginated list with the first page, never a 500', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Pager' });
    const key = new ApiClient(t, await createApiKey(agent, 'write'));
    const hook = await key.post('/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['contact.created'] }).expect(201);
    for (const path of ['/notifications', `/settings/webhooks/${hook.body.id}`, '/contacts', '/follow-ups']) {
      for (const page of ['99999999999999999999', '-1', 'abc', '1e308']) {
        const res = await agent.get(path).query({ page });
        expect(`${path}?page=${page} ${res.status}`).toBe(`${path}?page=${page} 200`);
      }
    }
  });

  it('keeps no session row for anonymous visitors, and their log-in form still works', async () => {
    await signUp(t.agent(), { email: 'anon-visitor@example.com', password: 'anon-password' });
    const before = await count('SELECT COUNT(*) AS n FROM sessions');
    for (let i = 0; i < 50; i++) {
      const path = ['/login', '/signup', '/forgot-password'][i % 3];
      const res = await t.agent().get(path).expect(200);
      expect((res.headers['set-cookie'] as unknown as string[] | undefined)?.some((c) => c.startsWith('devhub.sid=')) ?? false).toBe(false);
    }
    expect(await count('SELECT COUNT(*) AS n FROM sessions')).toBe(before);

    // the anonymous form's token is bound to the visitor's own cookie: another visitor's does not work
    const a = t.agent();
    const b = t.agent();
    const tokenOfA = csrfFrom((await a.get('/login').expect(200)).text);
    await b.get('/login').expect(200);
    await b.post('/login').type('form').send({ _csrf: tokenOfA, email: 'anon-visitor@example.com', password: 'anon-password' }).expect(403);
    await request(t.app.getHttpServer()).post('/login').type('form').send({ _csrf: tokenOfA, email: 'anon-visitor@example.com', password: 'anon-password' }).expect(403);
    expect((await submitForm(a, '/login', '/login', { email: 'anon-visitor@example.com', password: 'anon-password' })).status).toBe(303);
    expect(await count('SELECT COUNT(*) AS n FROM sessions')).toBe(before + 1);
  });

  it('sends the API header set to /API/... as well, and no-store on signed-in pages', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Headers' });
    const key = await createApiKey(agent, 'read');
    const upper = await request(t.app.getHttpServer()).get('/API/contacts').set('Authorization', `Bearer ${key}`);
    expect(upper.status).toBe(200);
    expect(upper.headers['cache-control']).toBe('no-store');
    expect(upper.headers['set-cookie']).toBeUndefined();
    expect((await agent.get('/dashboard').expect(200)).headers['cache-control']).toBe('no-store');
    expect((await agent.get('/settings/account').expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('takes _csrf from the query string only on the multipart import route', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Query Token' });
    const token = csrfFrom((await agent.get('/settings/account').expect(200)).text);
    await agent.post(`/settings/account?_csrf=${encodeURIComponent(token)}`).type('form').send({ name: 'Changed', email: 'x@example.com', timezone: 'UTC' }).expect(403);
    const upload = await agent.post(`/settings/account/import?_csrf=${encodeURIComponent(token)}`).attach('file', Buffer.from('Name,E-mail\nAda,ada@example.com\n'), 'c.csv');
    expect(upload.status).toBe(303);
  });

  it('never hands the admin role to the seeded demo account', async () => {
    const db = await startTestApp();
    try {
      const admin = db.agent();
      await signUp(admin, { name: 'First Admin', email: 'first-admin@example.com', password: 'admin-password' });
      const users = db.app.get(UsersService);
      const demo = await users.create({ email: DEMO_EMAIL, name: 'Demo', password: 'demo-password', signupSource: 'seed', neverAdmin: true });
      await signUp(db.agent(), { name: 'Later User', email: 'later@example.com' });
      const q = (i: number) => (db.config.databaseUrl.startsWith('postgres') ? `$${i}` : '?');
      // the demo account is older than the later user: an order by age alone would pick it
      await db.dataSource.query(`UPDATE users SET created_at = ${q(1)} WHERE id = ${q(2)}`, ['2000-01-01 00:00:00.000', demo.id]);
      expect((await submitForm(admin, '/settings/account', '/settings/account/delete', { currentPassword: 'admin-password' })).status).toBe(303);
      const rows: Array<{ email: string; is_admin: boolean | number }> = await db.dataSource.query('SELECT email, is_admin FROM users ORDER BY email');
      expect(rows.map((r) => [r.email, Boolean(r.is_admin)])).toEqual([
        [DEMO_EMAIL, false],
        ['later@example.com', true],
      ]);
    } finally {
      await db.drop();
    }
  });
});
