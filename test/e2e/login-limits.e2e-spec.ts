import { FakeSmtp, startFakeSmtp } from '../fakes/fake-smtp';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp, waitFor } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

/** A log-in form posted as one client (TRUST_PROXY=1: the proxy's X-Forwarded-For names it). */
async function logInAs(agent: Agent, xff: string, email: string, password: string) {
  const page = await agent.get('/login').set('X-Forwarded-For', xff).expect(200);
  return agent.post('/login').set('X-Forwarded-For', xff).type('form').send({ _csrf: csrfFrom(page.text), email, password });
}

describe('log-in and reset limits (atomic, per address and client)', () => {
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    t = await startTestApp({ TRUST_PROXY: '1', SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t?.drop();
    await smtp?.close();
  });

  it('30 parallel wrong passwords for one address: at most 5 are checked, the rest refused, never a 500', async () => {
    await signUp(t.agent(), { email: 'burst@example.com', password: 'the-right-one' });
    const agent = t.agent();
    const page = await agent.get('/login').expect(200);
    const token = csrfFrom(page.text);
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 29 ? 'the-right-one' : `wrong-${i}`));
    const answers = await Promise.all(guesses.map((password) => agent.post('/login').type('form').send({ _csrf: token, email: 'burst@example.com', password })));
    const statuses = answers.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401 || s === 303).length;
    const refused = statuses.filter((s) => s === 429).length;
    if (process.env.PRINT_FIGURES) process.stdout.write(`login burst on ${t.dataSource.options.type}: checked ${checked}, refused ${refused}\n`);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(checked).toBeLessThanOrEqual(5);
    expect(checked + refused).toBe(30);
    for (const r of answers.filter((a) => a.status === 429)) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an owner locked out by someone else\'s failures still logs in from their own client', async () => {
    await signUp(t.agent(), { email: 'owner@example.com', password: 'owner-password' });
    const attacker = t.agent();
    for (let i = 0; i < 5; i++) expect((await logInAs(attacker, '198.51.100.10', 'owner@example.com', `guess-${i}`)).status).toBe(401);
    expect((await logInAs(attacker, '198.51.100.10', 'owner@example.com', 'guess-5')).status).toBe(429);
    // even the right password is refused from the attacker's client
    expect((await logInAs(attacker, '198.51.100.10', 'owner@example.com', 'owner-password')).status).toBe(429);
    expect((await logInAs(t.agent(), '198.51.100.20', 'owner@example.com', 'owner-password')).status).toBe(303);
  });

  it('with TRUST_PROXY=1, spoofed left-most X-Forwarded-For entries do not reset the per-client count: refused at 20', async () => {
    const agent = t.agent();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      // the client writes its own entries; the proxy appends the address it saw (the right-most)
      const res = await logInAs(agent, `10.${i}.0.1, 192.0.2.${i + 1}, 203.0.113.50`, `spoof-${i}@example.com`, 'whatever-password');
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses[20]).toBe(429);
  });

  it('forgot-password sends at most 3 mails per address an hour and refuses a client after 20 requests', async () => {
    await signUp(t.agent(), { email: 'forgetful@example.com', password: 'forgetful-password' });
    const agent = t.agent();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const page = await agent.get('/forgot-password').set('X-Forwarded-For', '203.0.113.77').expect(200);
      const res = await agent.post('/forgot-password').set('X-Forwarded-For', '203.0.113.77').type('form').send({ _csrf: csrfFrom(page.text), email: 'forgetful@example.com' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(new Set(statuses.slice(20))).toEqual(new Set([429]));
    const resets = () => smtp.messages.filter((m) => m.to.includes('forgetful@example.com') && m.subject === 'Reset your DevHub password');
    await waitFor(() => resets().length >= 3, 'three reset mails');
    // whatever else was still on its way has arrived by the time another client's mail does
    const page = await agent.get('/forgot-password').set('X-Forwarded-For', '203.0.113.78').expect(200);
    await agent.post('/forgot-password').set('X-Forwarded-For', '203.0.113.78').type('form').send({ _csrf: csrfFrom(page.text), email: 'owner@example.com' }).expect(200);
    await waitFor(() => smtp.messages.some((m) => m.to.includes('owner@example.com') && m.subject === 'Reset your DevHub password'), 'the other client\'s mail');
    expect(resets()).toHaveLength(3);
  });

  it('a password reset always works, and clears the address\'s log-in counters', async () => {
    await signUp(t.agent(), { email: 'reset-works@example.com', password: 'before-reset' });
    const agent = t.agent();
    for (let i = 0; i < 5; i++) await logInAs(agent, '198.51.100.30', 'reset-works@example.com', `nope-${i}`);
    expect((await logInAs(agent, '198.51.100.30', 'reset-works@example.com', 'before-reset')).status).toBe(429);
    await submitForm(t.agent(), '/forgot-password', '/forgot-password', { email: 'reset-works@example.com' }).then((r) => expect(r.status).toBe(200));
    const mail = await waitFor(() => smtp.messages.find((m) => m.to.includes('reset-works@example.com') && m.subject === 'Reset your DevHub password'), 'reset mail');
    const link = new URL(/(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(mail.text)![1]);
    const form = await agent.get(`${link.pathname}${link.search}`).expect(200);
    await agent.post('/reset-password').type('form').send({ _csrf: csrfFrom(form.text), token: link.searchParams.get('token'), password: 'after-reset-1' }).expect(303);
    expect((await logInAs(agent, '198.51.100.30', 'reset-works@example.com', 'after-reset-1')).status).toBe(303);
  });

});
