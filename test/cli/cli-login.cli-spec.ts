import { statSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import request from 'supertest';
import { Clock } from '../../src/common/clock';
import { createApiKey, revokeApiKey } from '../support/api';
import { csrfFrom, htmlDecode, signUp, startTestApp, TestApp } from '../support/test-app';
import { sql } from '../support/crm';
import { CliHome, waitForOutput } from './cli-support';

type Agent = ReturnType<TestApp['agent']>;

const CODE = /\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b/;

// every step spawns the built CLI (a Node start-up each): generous on a busy machine
jest.setTimeout(180_000);

describe('devhub login / logout (browser approval, against the real app)', () => {
  let t: TestApp;
  let agent: Agent;
  let email: string;
  let home: CliHome;

  beforeAll(async () => {
    t = await startTestApp();
    agent = t.agent();
    email = `cli-${Date.now()}@example.com`;
    await signUp(agent, { name: 'Ada Lovelace', email });
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(() => {
    home = new CliHome(t.baseUrl);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    home.remove();
  });

  const keysNamed = (name: string) => sql<{ id: string; scope: string; revoked_at: unknown }>(t, 'SELECT id, scope, revoked_at FROM api_keys WHERE name = ?', [name]);

  async function decide(code: string, decision: 'approve' | 'refuse') {
    const page = await agent.get(`/cli/authorize?code=${code}`).expect(200);
    return agent.post('/cli/authorize').type('form').send({ _csrf: csrfFrom(page.text), code, decision });
  }

  it('approved in the browser: the CLI receives a key named for the machine, saved with mode 0600', async () => {
    const login = home.start(['login', '--no-browser']);
    const [, code] = await waitForOutput(login, CODE, 'the code');
    expect(login.output().stdout).toContain(`/cli/authorize?code=${code}`);

    // the signed-in user sees the code, the device and the scope
    const page = await agent.get(`/cli/authorize?code=${code.toLowerCase().replace('-', ' ')}`).expect(200);
    const text = htmlDecode(page.text);
    expect(text).toContain(code);
    expect(text).toContain(hostname());
    expect(text).toContain('write');
    expect(text).toContain(`cli: ${hostname()}`);
    // a page that shows a one-time secret flow is never cached
    expect(page.headers['cache-control']).toBe('no-store');

    const approved = await agent.post('/cli/authorize').type('form').send({ _csrf: csrfFrom(page.text), code, decision: 'approve' }).expect(200);
    expect(htmlDecode(approved.text)).toContain('Approved.');

    const result = await login.done;
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${t.baseUrl} as Ada Lovelace <${email}>`);

    expect(statSync(home.configPath).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(home.configPath, 'utf8'));
    expect(saved.url).toBe(t.baseUrl);
    expect(saved.token).toMatch(/^dh_[A-Za-z0-9]{36}$/);
    const rows = await keysNamed(`cli: ${hostname()}`);
    expect(rows).toHaveLength(1);
    expect(rows[0].scope).toBe('write');
    // the key is not kept on the server in any readable form once delivered
    const [pending] = await sql<{ key_ciphertext: string | null; status: string }>(t, 'SELECT key_ciphertext, status FROM cli_auth_requests WHERE api_key_id = ?', [rows[0].id]);
    expect(pending).toEqual({ key_ciphertext: null, status: 'delivered' });

    // and the saved key works from a fresh process, configured by the file alone
    const me = await home.json(['whoami'], { DEVHUB_URL: undefined });
    expect(me).toMatchObject({ email, scope: 'write', timezone: expect.any(String) });

    // a second approval of the same code finds nothing: codes work once
    const again = await agent.get(`/cli/authorize?code=${code}`);
    expect(again.status).toBe(404);
    expect(htmlDecode(again.text)).toContain('No pending log-in has this code');

    // logout revokes the key on the server and forgets it here
    const out = await home.ok(['logout']);
    expect(out).toContain('Logged out');
    expect((await keysNamed(`cli: ${hostname()}`))[0].revoked_at).not.toBeNull();
    expect(existsSync(home.configPath) ? JSON.parse(readFileSync(home.configPath, 'utf8')).token : undefined).toBeUndefined();
    // the revoked key, passed in again, is refused with the log-in-again message and exit 1
    const revoked = await home.run(['whoami'], { DEVHUB_TOKEN: saved.token });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain('Log in again');
  });

  it('refused in the browser: the CLI says so, exits 1 and saves nothing; no key is created', async () => {
    const keysBefore = await keysNamed(`cli: ${hostname()}`);
    const login = home.start(['login', '--no-browser']);
    const [, code] = await waitForOutput(login, CODE, 'the code');
    const refused = await decide(code, 'refuse');
    expect(refused.status).toBe(200);
    expect(htmlDecode(refused.text)).toContain('Refused.');
    const result = await login.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused');
    expect(existsSync(home.configPath)).toBe(false);
    expect(await keysNamed(`cli: ${hostname()}`)).toEqual(keysBefore);
  });

  it('expired after 10 minutes: the CLI gives up with exit 1, and the code can no longer be approved', async () => {
    const login = home.start(['login', '--no-browser']);
    const [, code] = await waitForOutput(login, CODE, 'the code');
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(Date.now() + 10 * 60_000 + 1000));
    const page = await agent.get(`/cli/authorize?code=${code}`);
    expect(page.status).toBe(404);
    const result = await login.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('expired');
    expect(existsSync(home.configPath)).toBe(false);
  });

  it('a guessed code approves nothing, and guessing is rate-limited per user', async () => {
    const guesser = t.agent();
    await signUp(guesser, { name: 'Mallory', email: `mallory-${Date.now()}@example.com` });
    const created = await request(t.app.getHttpServer()).post('/api/cli/auth-requests').send({ deviceName: 'victim' }).expect(201);
    expect(created.body).toEqual({ code: expect.stringMatching(CODE), pollToken: expect.stringMatching(/^dhp_/), verificationUrl: expect.stringContaining('/cli/authorize?code='), expiresAt: expect.any(String), interval: 2 });
    const form = await guesser.get('/cli/authorize').expect(200);
    const csrf = csrfFrom(form.text);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const guess = created.body.code === 'BBBB-BBBB' ? 'CCCC-CCCC' : 'BBBB-BBBB';
      const res = await guesser.post('/cli/authorize').type('form').send({ _csrf: csrf, code: guess, decision: 'approve' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses[20]).toBe(429);
    // over the limit even the right code is refused for this user
    const blocked = await guesser.post('/cli/authorize').type('form').send({ _csrf: csrf, code: created.body.code, decision: 'approve' });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    // nothing was approved: the real request is still pending, and no key exists for the guesser
    const poll = await request(t.app.getHttpServer()).post('/api/cli/auth-requests/poll').send({ pollToken: created.body.pollToken }).expect(200);
    expect(poll.body).toEqual({ status: 'pending' });
    expect(await keysNamed('cli: victim')).toHaveLength(0);
    // a made-up poll token learns nothing either
    const unknown = await request(t.app.getHttpServer()).post('/api/cli/auth-requests/poll').send({ pollToken: 'dhp_made-up' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, message: expect.stringContaining('devhub login') });
  });

  it('approving needs a signed-in session and a CSRF token', async () => {
    const created = await request(t.app.getHttpServer()).post('/api/cli/auth-requests').send({ deviceName: 'csrf-box' }).expect(201);
    const anonymous = await request(t.app.getHttpServer()).get(`/cli/authorize?code=${created.body.code}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/cli/authorize?code=${created.body.code}`)}`);
    const forged = await agent.post('/cli/authorize').type('form').send({ code: created.body.code, decision: 'approve' });
    expect(forged.status).toBe(403);
    const poll = await request(t.app.getHttpServer()).post('/api/cli/auth-requests/poll').send({ pollToken: created.body.pollToken }).expect(200);
    expect(poll.body.status).toBe('pending');
  });

  it('the key is delivered once: a second poll after approval answers expired', async () => {
    const created = await request(t.app.getHttpServer()).post('/api/cli/auth-requests').send({ deviceName: 'twice' }).expect(201);
    await decide(created.body.code, 'approve');
    const first = await request(t.app.getHttpServer()).post('/api/cli/auth-requests/poll').send({ pollToken: created.body.pollToken }).expect(200);
    expect(first.body).toEqual({ status: 'approved', apiKey: expect.stringMatching(/^dh_/), keyName: 'cli: twice', scope: 'write' });
    const second = await request(t.app.getHttpServer()).post('/api/cli/auth-requests/poll').send({ pollToken: created.body.pollToken }).expect(200);
    expect(second.body).toEqual({ status: 'expired' });
  });

  it('approved but never picked up in time: the key is revoked rather than left active with nobody holding it', async () => {
    const created = await request(t.app.getHttpServer()).post('/api/cli/auth-requests').send({ deviceName: 'late-box' }).expect(201);
    await decide(created.body.code, 'approve');
    const [key] = await keysNamed('cli: late-box');
    expect(key.revoked_at).toBeNull();
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(Date.now() + 11 * 60_000));
    const late = await request(t.app.getHttpServer()).post('/api/cli/auth-requests/poll').send({ pollToken: created.body.pollToken }).expect(200);
    expect(late.body).toEqual({ status: 'expired' });
    expect((await keysNamed('cli: late-box'))[0].revoked_at).not.toBeNull();
  });

  it('login --token for headless machines; a malformed token is a usage error (exit 2); a revoked key gives the log-in-again message', async () => {
    const bad = await home.run(['login', '--token', 'not-a-key']);
    expect(bad.code).toBe(2);
    const key = await createApiKey(agent, 'write', 'headless');
    const out = await home.json(['login', '--token', key]);
    expect(out).toMatchObject({ url: t.baseUrl, user: { email } });
    expect(statSync(home.configPath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(home.configPath, 'utf8')).token).toBe(key);

    await revokeApiKey(agent, key);
    const refused = await home.run(['contacts', 'ls']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('error: Your API key was refused (revoked or invalid). Log in again: `devhub login`.\n');
  });

  it('DEVHUB_TOKEN overrides the saved key, and logout says the variable must go too', async () => {
    const key = await createApiKey(agent, 'write', 'from-env');
    const me = await home.json(['whoami'], { DEVHUB_TOKEN: key });
    expect(me.email).toBe(email);
    const out = await home.run(['logout'], { DEVHUB_TOKEN: key });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('DEVHUB_TOKEN');
    expect(await home.json(['logout'], { DEVHUB_TOKEN: undefined })).toEqual({ revoked: false, forgotten: false });
    const after = await home.run(['whoami'], { DEVHUB_TOKEN: key });
    expect(after.code).toBe(1);
  });

  it('network errors are one clear line with exit 1', async () => {
    // a port that was just free: nothing listens there
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const r = await home.run(['whoami'], { DEVHUB_URL: `http://127.0.0.1:${port}`, DEVHUB_TOKEN: `dh_${'a'.repeat(36)}` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`error: Cannot reach DevHub at http://127.0.0.1:${port}: connection refused (is the server running?).`]);
  });
});
