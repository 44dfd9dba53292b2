import { existsSync, readFileSync } from 'node:fs';
import { EncryptionService } from '../../src/common/crypto/encryption.service';
import { FakeGithub, FakeGithubAccount, startFakeGithub } from '../fakes/fake-github';
import { signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  github_id: string | null;
  github_login: string | null;
  github_token_encrypted: string | null;
  signup_source: string | null;
}

let nextGithubId = 9_100_000;
function githubAccount(login: string, name: string, emails: FakeGithubAccount['emails']): FakeGithubAccount {
  const id = nextGithubId++;
  return { user: { id, login, name, avatar_url: `https://avatars.example.test/u/${id}` }, emails };
}

describe('GitHub sign-in (OAuth web flow against a fake GitHub)', () => {
  let gh: FakeGithub;
  let t: TestApp;

  beforeAll(async () => {
    gh = await startFakeGithub();
    t = await startTestApp({
      GITHUB_CLIENT_ID: gh.clientId,
      GITHUB_CLIENT_SECRET: gh.clientSecret,
      GITHUB_OAUTH_URL: gh.url,
      GITHUB_API_URL: gh.apiUrl,
    });
  });
  afterAll(async () => {
    await t?.drop();
    await gh?.close();
  });

  const callbackUrl = () => `${t.config.baseUrl}/auth/github/callback`;
  const userCount = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM users'))[0].n);
  const usersWhere = (column: 'email' | 'github_id', value: string): Promise<UserRow[]> =>
    t.dataSource.query(
      `SELECT id, email, name, password_hash, github_id, github_login, github_token_encrypted, signup_source FROM users WHERE ${column} = ${t.config.databaseUrl.startsWith('postgres') ? '$1' : '?'}`,
      [value],
    );

  /** /auth/github → the fake's authorize page → back to the app with its code and state. */
  async function authorize(agent: Agent) {
    const start = await agent.get('/auth/github').expect(302);
    const authorizeUrl = new URL(start.headers.location);
    const approved = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get('location')!);
    return { authorizeUrl, back, code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
  }

  async function signInWithGithub(agent: Agent, account: FakeGithubAccount) {
    gh.signInAs(account);
    const { back, code, state } = await authorize(agent);
    expect(`${back.origin}${back.pathname}`).toBe(callbackUrl());
    const res = await agent.get('/auth/github/callback').query({ code, state });
    return res;
  }

  it('redirects to the authorize page of GITHUB_OAUTH_URL with the client id, a state and the callback URL', async () => {
    const agent = t.agent();
    const { authorizeUrl, back, code, state } = await authorize(agent);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${gh.url}/login/oauth/authorize`);
    expect(authorizeUrl.searchParams.get('client_id')).toBe(gh.clientId);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(callbackUrl());
    expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizeUrl.searchParams.get('scope')?.split(/[ ,]/)).toContain('user:email');
    const sentState = authorizeUrl.searchParams.get('state');
    expect(sentState).toMatch(/^\S{16,}$/);
    // the fake sends the browser back to the callback with a code and the state it was given
    expect(`${back.origin}${back.pathname}`).toBe(callbackUrl());
    expect(state).toBe(sentState);
    expect(code).toBeTruthy();

    // each browser gets its own state
    const other = await t.agent().get('/auth/github').expect(302);
    expect(new URL(other.headers.location).searchParams.get('state')).not.toBe(sentState);
  });

  it('creates an account from the GitHub profile and its primary verified e-mail, and signs it in', async () => {
    const account = githubAccount('mhamilton', 'Margaret Hamilton', [
      { email: 'unverified.primary@example.com', primary: false, verified: false },
      { email: 'Margaret@Apollo.example', primary: true, verified: true },
      { email: 'other-verified@example.com', primary: false, verified: true },
    ]);
    const before = await userCount();
    const agent = t.agent();
    const res = await signInWithGithub(agent, account);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dashboard');

    const dash = await agent.get('/dashboard').expect(200);
    expect(dash.text).toMatch(/Good (morning|afternoon|evening), Margaret/);
    expect(dash.text).toContain('Signed in with GitHub as @mhamilton.');

    expect(await userCount()).toBe(before + 1);
    const [row] = await usersWhere('github_id', String(account.user.id));
    expect(row).toMatchObject({
      email: 'margaret@apollo.example',
      name: 'Margaret Hamilton',
      github_login: 'mhamilton',
      password_hash: null,
      signup_source: 'github',
    });

    // the app talked to the fake the way GitHub expects
    const [exchange] = gh.requestsTo('/login/oauth/access_token', 'POST');
    expect(exchange.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(exchange.params).toMatchObject({ client_id: gh.clientId, client_secret: gh.clientSecret, grant_type: 'authorization_code', redirect_uri: callbackUrl() });
    const token = gh.tokens.find((x) => x.account === account)!.token;
    const profileCalls = [...gh.requestsTo('/api/v3/user'), ...gh.requestsTo('/api/v3/user/emails')].filter((r) => r.headers.authorization?.endsWith(token));
    expect(profileCalls.map((r) => r.path).sort()).toEqual(['/api/v3/user', '/api/v3/user/emails']);
    expect(profileCalls.every((r) => /^(token|bearer) /i.test(r.headers.authorization!))).toBe(true);

    // signing in again with the same GitHub account opens the same DevHub account
    const again = t.agent();
    const second = await signInWithGithub(again, account);
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe('/dashboard');
    await again.get('/dashboard').expect(200);
    expect(await userCount()).toBe(before + 1);
  });

  it('refuses a callback whose state does not match the session, before redeeming the code', async () => {
    const account = githubAccount('forger', 'Forged Login', [{ email: 'forged@example.com', primary: true, verified: true }]);
    gh.signInAs(account);
    const before = await userCount();
    const exchangesBefore = gh.requestsTo('/login/oauth/access_token').length;

    // a real code, but the state of another browser (login CSRF)
    const agent = t.agent();
    const { code } = await authorize(agent);
    const forged = await agent.get('/auth/github/callback').query({ code, state: 'forged-state-value-000000' });
    expect(forged.status).toBe(303);
    expect(forged.headers.location).toBe('/login');
    const login = await agent.get('/login').expect(200);
    expect(login.text).toContain('GitHub sign-in did not complete.');
    const dash = await agent.get('/dashboard').expect(303);
    expect(dash.headers.location).toBe('/login?next=%2Fdashboard');

    // no state in the session at all
    const stranger = t.agent();
    const { code: code2, state: state2 } = await authorize(t.agent());
    const noSession = await stranger.get('/auth/github/callback').query({ code: code2, state: state2 });
    expect(noSession.status).toBe(303);
    expect(noSession.headers.location).toBe('/login');
    await stranger.get('/dashboard').expect(303);

    expect(await userCount()).toBe(before);
    expect(await usersWhere('email', 'forged@example.com')).toHaveLength(0);
    expect(gh.requestsTo('/login/oauth/access_token').length).toBe(exchangesBefore);
  });

  it('stores the GitHub access token only encrypted', async () => {
    const account = githubAccount('tokenkeeper', 'Token Keeper', [{ email: 'keeper@example.com', primary: true, verified: true }]);
    const agent = t.agent();
    expect((await signInWithGithub(agent, account)).status).toBe(303);
    const token = gh.tokens.find((x) => x.account === account)!.token;
    expect(token).toMatch(/^gho_/);

    const [row] = await usersWhere('github_id', String(account.user.id));
    const stored = row.github_token_encrypted!;
    expect(stored.startsWith('v1:')).toBe(true);
    expect(t.app.get(EncryptionService).decrypt(stored)).toBe(token);

    if (t.config.databaseUrl.startsWith('postgres')) {
      const [full] = await t.dataSource.query(`SELECT * FROM users WHERE id = $1`, [row.id]);
      for (const [column, value] of Object.entries(full)) {
        expect({ column, containsToken: String(value).includes(token) }).toEqual({ column, containsToken: false });
      }
      const sessions: Record<string, unknown>[] = await t.dataSource.query('SELECT * FROM sessions');
      expect(JSON.stringify(sessions)).not.toContain(token);
    } else {
      const file = t.db.url.slice('sqlite:'.length);
      const bytes = [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
      // the files read are the ones that hold the data: the ciphertext is in them, the token is not
      expect(bytes.some((b) => b.includes(stored))).toBe(true);
      for (const b of bytes) expect(b.includes(token)).toBe(false);
    }
    expect(t.logs.join('\n')).not.toContain(token);
  });

  it('links an existing password account with the same verified e-mail instead of creating another', async () => {
    await signUp(t.agent(), { name: 'Linus Password', email: 'linus@kernel.example', password: 'password-of-linus' });
    const [existing] = await usersWhere('email', 'linus@kernel.example');
    expect(existing.github_id).toBeNull();
    // as if Linus had opened the verification link (that flow: account-takeover.e2e-spec.ts)
    await t.dataSource.query(`UPDATE users SET email_verified_at = CURRENT_TIMESTAMP WHERE id = '${existing.id}'`);
    const before = await userCount();

    const account = githubAccount('torvalds', 'Linus Torvalds', [
      { email: 'linus@users.noreply.github.example', primary: true, verified: true },
      { email: 'Linus@Kernel.example', primary: false, verified: true },
    ]);
    const agent = t.agent();
    const res = await signInWithGithub(agent, account);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const dash = await agent.get('/dashboard').expect(200);
    expect(dash.text).toMatch(/Good (morning|afternoon|evening), Linus/);

    expect(await userCount()).toBe(before);
    const [linked] = await usersWhere('email', 'linus@kernel.example');
    expect(linked.id).toBe(existing.id);
    expect(linked.github_id).toBe(String(account.user.id));
    expect(linked.github_login).toBe('torvalds');
    expect(linked.name).toBe('Linus Password');
    // the password still works
    expect((await submitForm(t.agent(), '/login', '/login', { email: 'linus@kernel.example', password: 'password-of-linus' })).status).toBe(303);
  });

  it('connects GitHub to the signed-in account, and refuses an account already connected elsewhere', async () => {
    const account = githubAccount('shared-gh', 'Shared', [{ email: 'shared@gh.example', primary: true, verified: true }]);
    const first = t.agent();
    await signUp(first, { name: 'First Owner', email: 'first-owner@example.com' });
    const linked = await signInWithGithub(first, account);
    expect(linked.headers.location).toBe('/settings/account');
    const [owner] = await usersWhere('github_id', String(account.user.id));
    expect(owner.email).toBe('first-owner@example.com');

    const second = t.agent();
    await signUp(second, { name: 'Second Person', email: 'second-person@example.com' });
    const refused = await signInWithGithub(second, account);
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/settings/account');
    const page = await second.get('/settings/account').expect(200);
    expect(page.text).toContain('already connected to another DevHub account');
    const rows = await usersWhere('github_id', String(account.user.id));
    expect(rows.map((r) => r.email)).toEqual(['first-owner@example.com']);
  });

  it('never links through an unverified e-mail', async () => {
    await signUp(t.agent(), { name: 'Victim', email: 'victim@bank.example', password: 'password-of-victim' });
    const [victim] = await usersWhere('email', 'victim@bank.example');
    const before = await userCount();

    const account = githubAccount('mallory', 'Mallory', [
      { email: 'victim@bank.example', primary: true, verified: false },
      { email: 'mallory@evil.example', primary: false, verified: true },
    ]);
    const agent = t.agent();
    const res = await signInWithGithub(agent, account);
    expect(res.status).toBe(303);
    const dash = await agent.get('/dashboard').expect(200);
    expect(dash.text).toMatch(/Good (morning|afternoon|evening), Mallory/);
    expect(dash.text).not.toContain('Victim');

    const [after] = await usersWhere('email', 'victim@bank.example');
    expect(after.github_id).toBeNull();
    expect(after.github_token_encrypted).toBeNull();
    expect(await userCount()).toBe(before + 1);
    const [mallory] = await usersWhere('github_id', String(account.user.id));
    expect(mallory.id).not.toBe(victim.id);
    expect(mallory.email).toBe('mallory@evil.example');
  });

  it('shows the GitHub button on the log-in and sign-up pages when configured', async () => {
    const login = await t.agent().get('/login').expect(200);
    expect(login.text).toContain('Continue with GitHub');
    expect(login.text).toContain('href="/auth/github"');
    const signup = await t.agent().get('/signup').expect(200);
    expect(signup.text).toContain('Continue with GitHub');
  });

  it('answers 404 and hides the button when GitHub is not configured', async () => {
    const plain = await startTestApp();
    try {
      await plain.agent().get('/auth/github').expect(404);
      await plain.agent().get('/auth/github/callback').query({ code: 'x', state: 'y' }).expect(404);
      const login = await plain.agent().get('/login').expect(200);
      expect(login.text).not.toContain('Continue with GitHub');
      expect(login.text).not.toContain('/auth/github');
      const signup = await plain.agent().get('/signup').expect(200);
      expect(signup.text).not.toContain('Continue with GitHub');
    } finally {
      await plain.drop();
    }
  });
});
