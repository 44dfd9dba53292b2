import { FakeGithub, FakeGithubAccount, startFakeGithub } from '../fakes/fake-github';
import { FakeSmtp, startFakeSmtp } from '../fakes/fake-smtp';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp, waitFor } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

let nextGithubId = 9_300_000;
function githubAccount(login: string, email: string): FakeGithubAccount {
  const id = nextGithubId++;
  return { user: { id, login, name: login, avatar_url: `https://avatars.example.test/u/${id}` }, emails: [{ email, primary: true, verified: true }] };
}

/** Account pre-hijacking through GitHub sign-in, e-mail verification and the confirmations around the address. */
describe('account takeover: verified addresses only', () => {
  let gh: FakeGithub;
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    gh = await startFakeGithub();
    smtp = await startFakeSmtp();
    t = await startTestApp({
      GITHUB_CLIENT_ID: gh.clientId,
      GITHUB_CLIENT_SECRET: gh.clientSecret,
      GITHUB_OAUTH_URL: gh.url,
      GITHUB_API_URL: gh.apiUrl,
      SMTP_URL: smtp.url,
    });
  });
  afterAll(async () => {
    await t?.drop();
    await gh?.close();
    await smtp?.close();
  });

  const p = (i: number) => (t.config.databaseUrl.startsWith('postgres') ? `$${i}` : '?');
  const usersWith = (email: string): Promise<Array<{ id: string; github_id: string | null; email_verified_at: unknown; name: string }>> =>
    t.dataSource.query(`SELECT id, github_id, email_verified_at, name FROM users WHERE email = ${p(1)}`, [email]);
  const mailsTo = (address: string, subject?: string) => smtp.messages.filter((m) => m.to.includes(address) && (!subject || m.subject === subject));
  const linkIn = (text: string, path: string) => {
    const m = new RegExp(`(https?://\\S+${path}\\?token=\\S+)`).exec(text);
    if (!m) throw new Error(`no ${path} link in:\n${text}`);
    const url = new URL(m[1]);
    return `${url.pathname}${url.search}`;
  };

  async function signInWithGithub(agent: Agent, account: FakeGithubAccount) {
    gh.signInAs(account);
    const start = await agent.get('/auth/github').expect(302);
    const approved = await fetch(new URL(start.headers.location), { redirect: 'manual' });
    const back = new URL(approved.headers.get('location')!);
    return agent.get('/auth/github/callback').query({ code: back.searchParams.get('code')!, state: back.searchParams.get('state')! });
  }

  it('an attacker who signs up with the victim\'s address never gets the victim\'s GitHub sign-in', async () => {
    const victimEmail = 'victim-one@corp.example';
    const attacker = t.agent();
    await signUp(attacker, { name: 'Attacker', email: victimEmail, password: 'attacker-password' });
    const [planted] = await usersWith(victimEmail);
    expect(planted.email_verified_at).toBeNull();

    const victim = t.agent();
    const res = await signInWithGithub(victim, githubAccount('victim-one', victimEmail));
    expect(res.status).toBe(409);
    expect(res.text).toContain('An account with the address');
    expect(res.text).toContain('href="/settings/github"');
    // not joined, no second account with the address, and the victim is not signed in anywhere
    const rows = await usersWith(victimEmail);
    expect(rows).toHaveLength(1);
    expect(rows[0].github_id).toBeNull();
    expect((await victim.get('/dashboard')).status).toBe(303);
    // the attacker's log-in opens an account without the victim's GitHub
    expect((await submitForm(t.agent(), '/login', '/login', { email: victimEmail, password: 'attacker-password' })).status).toBe(303);
  });

  it('the other way round: a sign-up with a GitHub user\'s address makes no account and mails the owner', async () => {
    const email = 'victim-two@corp.example';
    const victim = t.agent();
    expect((await signInWithGithub(victim, githubAccount('victim-two', email))).headers.location).toBe('/dashboard');
    const [owner] = await usersWith(email);
    expect(owner.email_verified_at).not.toBeNull();

    const attempt = await submitForm(t.agent(), '/signup', '/signup', { name: 'Attacker', email, password: 'attacker-password' });
    expect(attempt.status).toBe(200);
    // the same answer as forgot-password: nothing says the address has an account
    expect(attempt.text).toContain('If an account uses that address, we have sent it a link');
    const unknown = await submitForm(t.agent(), '/forgot-password', '/forgot-password', { email: 'nobody-at-all@corp.example' });
    expect(attempt.text.replace(/value="[^"]+"/g, '')).toBe(unknown.text.replace(/value="[^"]+"/g, ''));
    expect(await usersWith(email)).toHaveLength(1);
    await waitFor(() => mailsTo(email, 'Your DevHub account').length === 1, 'the mail to the owner');
    expect((await submitForm(t.agent(), '/login', '/login', { email, password: 'attacker-password' })).status).toBe(401);
  });

  it('an attacker who changes their address to the victim\'s needs their password, and GitHub still does not join', async () => {
    const victimEmail = 'victim-three@corp.example';
    const attacker = t.agent();
    await signUp(attacker, { name: 'Changer', email: 'changer@evil.example', password: 'changer-password' });
    const form = { name: 'Changer', email: victimEmail, timezone: 'UTC' };
    expect((await submitForm(attacker, '/settings/account', '/settings/account', form)).status).toBe(422);
    expect((await submitForm(attacker, '/settings/account', '/settings/account', { ...form, currentPassword: 'changer-password' })).status).toBe(303);
    const [changed] = await usersWith(victimEmail);
    expect(changed.email_verified_at).toBeNull();

    const res = await signInWithGithub(t.agent(), githubAccount('victim-three', victimEmail));
    expect(res.status).toBe(409);
    const rows = await usersWith(victimEmail);
    expect(rows).toHaveLength(1);
    expect(rows[0].github_id).toBeNull();
  });

  it('verifies an address through a single-use link, after which GitHub sign-in joins the account', async () => {
    const email = 'verify-me@corp.example';
    const agent = t.agent();
    await signUp(agent, { name: 'Verify Me', email, password: 'verify-password' });
    const mail = await waitFor(() => mailsTo(email, 'Confirm your e-mail address for DevHub')[0], 'the verification mail');
    const path = linkIn(mail.text, '/verify-email');
    const token = new URLSearchParams(path.split('?')[1]).get('token')!;
    const stored: Array<{ token_hash: string }> = await t.dataSource.query('SELECT token_hash FROM email_verification_tokens');
    expect(stored.some((r) => r.token_hash.includes(token))).toBe(false);

    expect((await agent.get('/settings/account').expect(200)).text).toContain('is not confirmed yet');
    expect((await t.agent().get(path).expect(200)).text).toContain('Address confirmed');
    expect((await t.agent().get(path).expect(410)).text).toContain('Link not valid');
    expect((await agent.get('/settings/account').expect(200)).text).toContain(`<strong>${email}</strong> is confirmed.`);

    const res = await signInWithGithub(t.agent(), githubAccount('verify-me', email));
    expect(res.status).toBe(303);
    const [joined] = await usersWith(email);
    expect(joined.github_id).not.toBeNull();
  });

  it('"send again" mails a new link at most 3 times an hour', async () => {
    const email = 'resend@corp.example';
    const agent = t.agent();
    await signUp(agent, { name: 'Resend', email, password: 'resend-password' });
    for (let i = 0; i < 4; i++) {
      const page = await agent.get('/settings/account').expect(200);
      await agent.post('/settings/account/verify-email').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    }
    const page = await agent.get('/settings/account').expect(200);
    expect(page.text).toContain('You asked for several links already.');
    await waitFor(() => mailsTo(email, 'Confirm your e-mail address for DevHub').length === 4, 'sign-up mail and 3 resends');
    expect(mailsTo(email, 'Confirm your e-mail address for DevHub')).toHaveLength(4);
  });

  it('an address change sends a link to the new address and a notice to the old, and ends other sessions', async () => {
    const agent = t.agent();
    const other = t.agent();
    await signUp(agent, { name: 'Mover', email: 'mover-old@corp.example', password: 'mover-password' });
    expect((await submitForm(other, '/login', '/login', { email: 'mover-old@corp.example', password: 'mover-password' })).status).toBe(303);
    const res = await submitForm(agent, '/settings/account', '/settings/account', { name: 'Mover', email: 'mover-new@corp.example', timezone: 'UTC', currentPassword: 'mover-password' });
    expect(res.status).toBe(303);
    await waitFor(() => mailsTo('mover-new@corp.example', 'Confirm your e-mail address for DevHub').length === 1, 'link to the new address');
    await waitFor(() => mailsTo('mover-old@corp.example', 'The e-mail address of your DevHub account was changed').length === 1, 'notice to the old address');
    expect((await other.get('/dashboard')).status).toBe(303);
    expect((await agent.get('/dashboard')).status).toBe(200);
    // a link sent to the old address verifies nothing now
    const oldLink = linkIn(mailsTo('mover-old@corp.example', 'Confirm your e-mail address for DevHub')[0].text, '/verify-email');
    await t.agent().get(oldLink).expect(410);
  });

  it('deleting the account needs the current password', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Leaver', email: 'leaver@corp.example', password: 'leaver-password' });
    const wrong = await submitForm(agent, '/settings/account', '/settings/account/delete', { currentPassword: 'not-my-password' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That is not your current password.');
    expect(await usersWith('leaver@corp.example')).toHaveLength(1);
    const ok = await submitForm(agent, '/settings/account', '/settings/account/delete', { currentPassword: 'leaver-password' });
    expect(ok.status).toBe(303);
    expect(await usersWith('leaver@corp.example')).toHaveLength(0);
  });

  it('a GitHub-only account confirms its deletion through a fresh GitHub sign-in', async () => {
    const account = githubAccount('gh-only-leaver', 'gh-only@corp.example');
    const agent = t.agent();
    await signInWithGithub(agent, account);
    const refused = await submitForm(agent, '/settings/account', '/settings/account/delete', {});
    expect(refused.status).toBe(422);
    expect(await usersWith('gh-only@corp.example')).toHaveLength(1);
    // signing in with GitHub again while signed in confirms it
    expect((await signInWithGithub(agent, account)).headers.location).toBe('/settings/account');
    expect((await submitForm(agent, '/settings/account', '/settings/account/delete', {})).status).toBe(303);
    expect(await usersWith('gh-only@corp.example')).toHaveLength(0);
  });
});
