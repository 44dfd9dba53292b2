import { DataSource } from 'typeorm';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

describe('accounts: sign-up, log-in, log-out, CSRF', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.drop();
  });

  const users = () => t.app.get(DataSource).query('SELECT email, is_admin, signup_source, password_hash FROM users ORDER BY created_at');

  it('serves the sign-up page first on an empty instance', async () => {
    const fresh = await startTestApp();
    try {
      const res = await fresh.agent().get('/').expect(302);
      expect(res.headers.location).toBe('/signup');
    } finally {
      await fresh.drop();
    }
  });

  it('signs up, lands on the dashboard greeted by name, and the first account is admin', async () => {
    const agent = t.agent();
    const page = await agent.get('/signup?ref=hn').expect(200);
    const res = await agent
      .post('/signup')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Grace Hopper', email: 'Grace@Example.com', password: 'a-long-password', ref: 'hn' })
      .expect(303);
    expect(res.headers.location).toBe('/dashboard');
    const dash = await agent.get('/dashboard').expect(200);
    expect(dash.text).toMatch(/Good (morning|afternoon|evening), Grace/);
    expect(dash.text).toContain('Welcome to DevHub, Grace Hopper!');

    const [row] = await users();
    expect(row.email).toBe('grace@example.com');
    expect(Boolean(row.is_admin)).toBe(true);
    expect(row.signup_source).toBe('hn');
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('a-long-password');

    await signUp(t.agent(), { email: 'second@example.com' });
    const second = (await users()).find((u: { email: string }) => u.email === 'second@example.com');
    expect(Boolean(second.is_admin)).toBe(false);
  });

  it('keeps the input and explains each bad field', async () => {
    const agent = t.agent();
    const res = await submitForm(agent, '/signup', '/signup', { name: '<script>alert(1)</script>', email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a valid e-mail address.');
    expect(res.text).toContain('Use at least 8 characters.');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert(1)</script>');
  });

  it('refuses a second account with the same e-mail, whatever its case, without saying the address has an account', async () => {
    await signUp(t.agent(), { email: 'dup@example.com' });
    const count = async () => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM users WHERE email = 'dup@example.com'`))[0].n);
    const res = await submitForm(t.agent(), '/signup', '/signup', { name: 'X', email: 'DUP@example.com', password: 'password123' });
    expect(res.status).toBe(422);
    // without SMTP nobody can be told privately; the form names no account (with SMTP: see account-takeover.e2e-spec)
    expect(res.text).toContain('This address cannot be used for a new account.');
    expect(res.text).not.toContain('already exists');
    expect(await count()).toBe(1);
  });

  it('logs in with the right password and not with a wrong one, with one generic message', async () => {
    await signUp(t.agent(), { email: 'login@example.com', password: 'right-password' });
    const wrong = await submitForm(t.agent(), '/login', '/login', { email: 'login@example.com', password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    const unknown = await submitForm(t.agent(), '/login', '/login', { email: 'nobody@example.com', password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    const message = 'That e-mail and password do not match an account.';
    expect(wrong.text).toContain(message);
    expect(unknown.text).toContain(message);

    const agent = t.agent();
    const ok = await submitForm(agent, '/login', '/login', { email: 'LOGIN@example.com', password: 'right-password', next: '/settings/account' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/settings/account');
    await agent.get('/settings/account').expect(200);
  });

  it('never redirects to another site after log-in', async () => {
    await signUp(t.agent(), { email: 'next@example.com', password: 'right-password' });
    const res = await submitForm(t.agent(), '/login', '/login', { email: 'next@example.com', password: 'right-password', next: '//evil.example/' });
    expect(res.headers.location).toBe('/dashboard');
  });

  it('issues a new session id at log-in and destroys the session at log-out', async () => {
    await signUp(t.agent(), { email: 'sess@example.com', password: 'right-password' });
    const agent = t.agent();
    const page = await agent.get('/login').expect(200);
    // an anonymous visitor gets no session (only the CSRF cookie)
    const anonymous = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split('=')[0]);
    expect(anonymous).toEqual(['devhub.csrf']);
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email: 'sess@example.com', password: 'right-password' }).expect(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('devhub.sid='))!;
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);

    const dash = await agent.get('/dashboard').expect(200);
    const sessionsBefore = await t.dataSource.query('SELECT COUNT(*) AS n FROM sessions');
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(dash.text) }).expect(303);
    const gone = await agent.get('/dashboard').expect(303);
    expect(gone.headers.location).toBe('/login?next=%2Fdashboard');
    const sessionsAfter = await t.dataSource.query('SELECT COUNT(*) AS n FROM sessions');
    expect(Number(sessionsAfter[0].n)).toBe(Number(sessionsBefore[0].n) - 1);
  });

  it('refuses a state-changing request without a valid CSRF token and changes nothing', async () => {
    const agent = t.agent();
    await agent.get('/signup').expect(200);
    const count = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM users'))[0].n);
    const before = await count();
    await agent.post('/signup').type('form').send({ name: 'Eve', email: 'eve@example.com', password: 'password123' }).expect(403);
    await agent.post('/signup').type('form').send({ _csrf: 'forged', name: 'Eve', email: 'eve@example.com', password: 'password123' }).expect(403);
    expect(await count()).toBe(before);

    // a signed-in user's settings cannot be changed cross-site either
    const victim = t.agent();
    await signUp(victim, { name: 'Victim', email: 'victim@example.com' });
    await victim.post('/settings/account').type('form').send({ name: 'Hacked', email: 'attacker@example.com', timezone: 'UTC' }).expect(403);
    const [row] = await t.dataSource.query(`SELECT name FROM users WHERE email = 'victim@example.com'`);
    expect(row.name).toBe('Victim');
  });

  it('refuses a sixth attempt for one address from the same client', async () => {
    await signUp(t.agent(), { email: 'brute@example.com', password: 'right-password' });
    for (let i = 0; i < 5; i++) {
      const r = await submitForm(t.agent(), '/login', '/login', { email: 'brute@example.com', password: `guess-${i}` });
      expect(r.status).toBe(401);
    }
    const locked = await submitForm(t.agent(), '/login', '/login', { email: 'brute@example.com', password: 'right-password' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.text).toContain('Too many failed attempts');
  });

  it('edits name, e-mail and time zone, and changes the password', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Linus', email: 'linus@example.com', password: 'first-password' });
    const bad = await submitForm(agent, '/settings/account', '/settings/account', { name: '', email: 'linus@example.com', timezone: 'Mars/Olympus' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Choose a time zone from the list.');
    expect(bad.text).toContain('Enter your name.');

    // a new address needs the current password
    const unconfirmed = await submitForm(agent, '/settings/account', '/settings/account', { name: 'Linus T', email: 'linus.t@example.com', timezone: 'Europe/Helsinki' });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Enter your current password to change your e-mail address.');
    const wrong = await submitForm(agent, '/settings/account', '/settings/account', { name: 'Linus T', email: 'linus.t@example.com', timezone: 'Europe/Helsinki', currentPassword: 'not-it-at-all' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password.');
    const ok = await submitForm(agent, '/settings/account', '/settings/account', { name: 'Linus T', email: 'linus.t@example.com', timezone: 'Europe/Helsinki', currentPassword: 'first-password' });
    expect(ok.status).toBe(303);
    const page = await agent.get('/settings/account').expect(200);
    expect(page.text).toContain('value="Linus T"');
    expect(page.text).toContain('<option value="Europe/Helsinki" selected>');

    const wrongCurrent = await submitForm(agent, '/settings/account', '/settings/account/password', { currentPassword: 'nope-nope', newPassword: 'second-password' });
    expect(wrongCurrent.status).toBe(422);
    expect(wrongCurrent.text).toContain('That is not your current password.');
    const changed = await submitForm(agent, '/settings/account', '/settings/account/password', { currentPassword: 'first-password', newPassword: 'second-password' });
    expect(changed.status).toBe(303);
    const login = await submitForm(t.agent(), '/login', '/login', { email: 'linus.t@example.com', password: 'second-password' });
    expect(login.status).toBe(303);
  });

  it('sends anonymous visitors of private pages to the log-in page', async () => {
    const res = await t.agent().get('/settings/account').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fsettings%2Faccount');
  });

  it('answers 404 as a page for pages and as JSON under /api', async () => {
    const page = await t.agent().get('/no-such-page').set('Accept', 'text/html').expect(404);
    expect(page.text).toContain('Page not found');
    const api = await t.agent().get('/api/no-such-thing').expect(404);
    expect(api.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('sends security headers with a same-origin content security policy', async () => {
    const res = await t.agent().get('/login').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('answers health and readiness probes', async () => {
    await t.agent().get('/healthz').expect(200, { status: 'ok' });
    const ready = await t.agent().get('/readyz').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', database: 'ok', pendingMigrations: 0 });
  });

  it('logs each request with its id, and no e-mail address, password or cookie', async () => {
    const verbose = await startTestApp({ LOG_LEVEL: 'debug' });
    try {
      const agent = verbose.agent();
      await signUp(agent, { email: 'private.person@example.com', password: 'hunter2-hunter2' });
      await submitForm(verbose.agent(), '/login', '/login', { email: 'private.person@example.com', password: 'wrong-wrong' });
      await verbose.agent().get('/reset-password?token=secret-reset-token').expect(410);
      const lines = verbose.logs.map((l) => JSON.parse(l));
      const requests = lines.filter((l) => l.msg === 'request');
      expect(requests.length).toBeGreaterThan(3);
      expect(requests.every((l) => typeof l.requestId === 'string' && l.requestId.length > 0)).toBe(true);
      expect(lines.some((l) => l.msg === 'login failed')).toBe(true);
      const all = verbose.logs.join('\n');
      expect(all).not.toContain('private.person@example.com');
      expect(all).not.toContain('hunter2-hunter2');
      expect(all).not.toContain('secret-reset-token');
      expect(all).not.toContain('devhub.sid=');
    } finally {
      await verbose.drop();
    }
  });

});
