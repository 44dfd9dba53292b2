import { Clock } from '../../src/common/clock';
import { FakeSmtp, ReceivedMail, startFakeSmtp } from '../fakes/fake-smtp';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp, waitFor } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

const SENT_NOTICE = 'If an account uses that address, we have sent it a link to choose a new password.';

describe('password reset by e-mail', () => {
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'DevHub <devhub@instance.example>' });
  });
  afterAll(async () => {
    await t?.drop();
    await smtp?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  // sign-up also mails a verification link: these tests count the reset mails
  const resetMails = () => smtp.messages.filter((m) => m.subject === 'Reset your DevHub password');
  const mailsTo = (address: string) => resetMails().filter((m) => m.to.includes(address));

  async function requestReset(agent: Agent, email: string) {
    return submitForm(agent, '/forgot-password', '/forgot-password', { email });
  }

  /** The reset link of the one mail sent to `address` (waits for it to arrive). */
  async function resetLinkFor(address: string, count = 1): Promise<{ mail: ReceivedMail; link: URL; token: string }> {
    const mails = await waitFor(() => mailsTo(address).length >= count && mailsTo(address), `reset mail #${count} to ${address}`);
    const mail = mails[count - 1];
    const m = /(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(mail.text);
    if (!m) throw new Error(`no reset link in the mail:\n${mail.text}`);
    const link = new URL(m[1]);
    return { mail, link, token: link.searchParams.get('token')! };
  }

  const logIn = (email: string, password: string) => submitForm(t.agent(), '/login', '/login', { email, password });

  it('shows the request form when the instance sends e-mail', async () => {
    const page = await t.agent().get('/forgot-password').expect(200);
    expect(page.text).toContain('action="/forgot-password"');
    expect(page.text).toContain('name="email"');
    expect(page.text).not.toContain('Ask the instance admin');
  });

  it('mails a single-use link, answers the same for unknown addresses, and resets the password', async () => {
    const email = 'reset.me@example.com';
    await signUp(t.agent(), { name: 'Reset Me', email, password: 'old-password-1' });
    const signedIn = t.agent();
    expect((await submitForm(signedIn, '/login', '/login', { email, password: 'old-password-1' })).status).toBe(303);

    // unknown address first: if it sent anything, it would arrive before the real one is awaited below
    const agent = t.agent();
    const unknown = await requestReset(agent, 'nobody-here@example.com');
    const known = await requestReset(agent, 'Reset.Me@Example.com');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(known.text).toContain(SENT_NOTICE);
    expect(unknown.text).toBe(known.text);

    const { mail, link, token } = await resetLinkFor(email);
    expect(resetMails()).toHaveLength(1);
    expect(mailsTo('nobody-here@example.com')).toHaveLength(0);
    expect(mail.from).toBe('devhub@instance.example');
    expect(mail.subject).toBe('Reset your DevHub password');
    expect(`${link.origin}${link.pathname}`).toBe(`${t.config.baseUrl}/reset-password`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // only a hash of the token is stored
    const rows: { token_hash: string }[] = await t.dataSource.query('SELECT token_hash FROM password_reset_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).not.toContain(token);

    const path = `${link.pathname}${link.search}`;
    const form = await agent.get(path).expect(200);
    expect(form.text).toContain('action="/reset-password"');
    expect(form.text).toContain(`name="token" value="${token}"`);
    expect(form.text).toContain('name="password"');

    const tooShort = await agent.post('/reset-password').type('form').send({ _csrf: csrfFrom(form.text), token, password: 'short' });
    expect(tooShort.status).toBe(422);
    expect(tooShort.text).toContain('Use at least 8 characters.');

    const done = await agent.post('/reset-password').type('form').send({ _csrf: csrfFrom(form.text), token, password: 'brand-new-password' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');
    const login = await agent.get('/login').expect(200);
    expect(login.text).toContain('Your password has been changed.');

    expect((await logIn(email, 'brand-new-password')).status).toBe(303);
    expect((await logIn(email, 'old-password-1')).status).toBe(401);
    // the session that was open before the reset has ended
    const stale = await signedIn.get('/dashboard').expect(303);
    expect(stale.headers.location).toBe('/login?next=%2Fdashboard');

    // the link works once
    const reopened = await t.agent().get(path).expect(410);
    expect(reopened.text).toContain('has already been used or has expired');
    expect(reopened.text).not.toContain('name="token"');
    const reused = await submitForm(t.agent(), '/forgot-password', '/reset-password', { token, password: 'attacker-password' });
    expect(reused.status).toBe(410);
    expect((await logIn(email, 'attacker-password')).status).toBe(401);
    expect((await logIn(email, 'brand-new-password')).status).toBe(303);
  });

  it('refuses a link after one hour', async () => {
    const email = 'slow.reader@example.com';
    await signUp(t.agent(), { name: 'Slow Reader', email, password: 'old-password-2' });
    await requestReset(t.agent(), email);
    const { link, token } = await resetLinkFor(email);
    const path = `${link.pathname}${link.search}`;
    await t.agent().get(path).expect(200);

    const clock = t.app.get(Clock);
    const later = new Date(Date.now() + 61 * 60 * 1000);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(later));

    const expired = await t.agent().get(path).expect(410);
    expect(expired.text).toContain('has expired');
    const post = await submitForm(t.agent(), '/forgot-password', '/reset-password', { token, password: 'too-late-password' });
    expect(post.status).toBe(410);
    expect((await logIn(email, 'too-late-password')).status).toBe(401);
    expect((await logIn(email, 'old-password-2')).status).toBe(303);
  });

  it('uses the link only once even when it is submitted twice at the same moment', async () => {
    const email = 'double.click@example.com';
    await signUp(t.agent(), { name: 'Double Click', email, password: 'old-password-3' });
    await requestReset(t.agent(), email);
    const { link, token } = await resetLinkFor(email);
    const path = `${link.pathname}${link.search}`;

    const a = t.agent();
    const b = t.agent();
    const [pa, pb] = await Promise.all([a.get(path).expect(200), b.get(path).expect(200)]);
    const [ra, rb] = await Promise.all([
      a.post('/reset-password').type('form').send({ _csrf: csrfFrom(pa.text), token, password: 'first-new-password' }),
      b.post('/reset-password').type('form').send({ _csrf: csrfFrom(pb.text), token, password: 'second-new-password' }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([303, 410]);
    const winner = ra.status === 303 ? 'first-new-password' : 'second-new-password';
    const loser = ra.status === 303 ? 'second-new-password' : 'first-new-password';
    expect((await logIn(email, loser)).status).toBe(401);
    expect((await logIn(email, winner)).status).toBe(303);
  });

  it('tells users to ask the admin when the instance sends no e-mail', async () => {
    const before = resetMails().length;
    const plain = await startTestApp();
    try {
      await signUp(plain.agent(), { email: 'no-mail@example.com' });
      const page = await plain.agent().get('/forgot-password').expect(200);
      expect(page.text).toContain('Ask the instance admin to reset your password');
      expect(page.text).not.toContain('action="/forgot-password"');
      expect(page.text).not.toContain('name="email"');

      // posting anyway sends nothing and creates no link
      const agent = plain.agent();
      const login = await agent.get('/login').expect(200);
      await agent.post('/forgot-password').type('form').send({ _csrf: csrfFrom(login.text), email: 'no-mail@example.com' }).expect(200);
      const [{ n }] = await plain.dataSource.query('SELECT COUNT(*) AS n FROM password_reset_tokens');
      expect(Number(n)).toBe(0);
      expect(resetMails().length).toBe(before);
    } finally {
      await plain.drop();
    }
  });
});
