import { randomUUID } from 'node:crypto';
import { AdminMetricsService, weekStart } from '../../src/admin/admin-metrics.service';
import { Clock } from '../../src/common/clock';
import { apiUser, ApiUser } from '../support/api';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

describe('admin console', () => {
  let t: TestApp;
  let admin: ReturnType<TestApp['agent']>;
  let user: ApiUser;
  const isPg = () => Boolean(process.env.TEST_PG_ADMIN_URL);
  const p = (i: number) => (isPg() ? `$${i}` : '?');
  const at = (d: Date) => (isPg() ? d : d.toISOString().replace('T', ' ').replace('Z', ''));

  beforeAll(async () => {
    t = await startTestApp({ PLAN_PRICE_PRO: '12', PLAN_PRICE_PREMIUM: '29.5' });
    admin = t.agent();
    // the first account on an instance is its admin
    await signUp(admin, { email: 'admin@example.com', name: 'Admin' });
    user = await apiUser(t, 'Regular User', 'regular@example.com');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('answers 404 to everyone but the admin', async () => {
    for (const path of ['/admin', '/admin/users', '/admin/jobs']) {
      await t.agent().get(path).expect(404);
      await user.agent.get(path).expect(404);
      await admin.get(path).expect(200);
    }
    const page = await user.agent.get('/dashboard');
    await user.agent.post(`/admin/users/${user.userId}/admin`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(404);
    const [row] = await t.dataSource.query(`SELECT is_admin FROM users WHERE id = '${user.userId}'`);
    expect(Boolean(row.is_admin)).toBe(false);
    expect((await admin.get('/dashboard')).text).toContain('href="/admin"');
    expect((await user.agent.get('/dashboard')).text).not.toContain('href="/admin"');
  });

  it('searches users and changes a plan with a reason into the log', async () => {
    const list = await admin.get('/admin/users?q=REGULAR').expect(200);
    expect(list.text).toContain('regular@example.com');
    expect(list.text).not.toContain('admin@example.com</span>');
    const noReason = await submitForm(admin, '/admin/users', `/admin/users/${user.userId}/plan`, { plan: 'pro', reason: '' });
    expect(noReason.status).toBe(303);
    expect((await t.dataSource.query(`SELECT plan FROM users WHERE id = '${user.userId}'`))[0].plan).toBe('free');
    await submitForm(admin, '/admin/users', `/admin/users/${user.userId}/plan`, { plan: 'pro', reason: 'Paid by invoice 42' }).then((r) => expect(r.status).toBe(303));
    expect((await t.dataSource.query(`SELECT plan FROM users WHERE id = '${user.userId}'`))[0].plan).toBe('pro');
    const log = await t.dataSource.query(`SELECT from_plan, to_plan, reason FROM plan_changes WHERE user_id = '${user.userId}'`);
    expect(log).toEqual([{ from_plan: 'free', to_plan: 'pro', reason: 'Paid by invoice 42' }]);
    await user.read.get('/api/me').expect(200).expect((r) => expect(r.body.plan).toBe('pro'));
  });

  it('a disabled user loses their session and API keys at once and cannot log in; enabling restores log-in', async () => {
    const victim = await apiUser(t, 'Victim', 'victim@example.com');
    await victim.agent.get('/dashboard').expect(200);
    await victim.read.get('/api/me').expect(200);
    await submitForm(admin, '/admin/users', `/admin/users/${victim.userId}/disable`, {}).then((r) => expect(r.status).toBe(303));
    const res = await victim.agent.get('/dashboard');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
    await victim.read.get('/api/me').expect(401);
    const again = t.agent();
    const login = await submitForm(again, '/login', '/login', { email: 'victim@example.com', password: 'correct horse battery' });
    expect(login.status).not.toBe(303);
    await submitForm(admin, '/admin/users', `/admin/users/${victim.userId}/enable`, {}).then((r) => expect(r.status).toBe(303));
    const ok = await submitForm(again, '/login', '/login', { email: 'victim@example.com', password: 'correct horse battery' });
    expect(ok.status).toBe(303);
    await victim.read.get('/api/me').expect(200);
    // the admin cannot lock themselves out
    const [me] = await t.dataSource.query(`SELECT id FROM users WHERE email = 'admin@example.com'`);
    await submitForm(admin, '/admin/users', `/admin/users/${me.id}/disable`, {});
    await admin.get('/admin').expect(200);
  });

  it('business metrics match hand-counted figures from seeded sign-ups and plan changes', async () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const clock = t.app.get(Clock);
    jest.spyOn(clock, 'now').mockReturnValue(now);
    await t.dataSource.query('DELETE FROM plan_changes');
    await t.dataSource.query(`DELETE FROM api_keys`);
    await t.dataSource.query(`DELETE FROM sessions`);
    await t.dataSource.query(`DELETE FROM users`);
    const users: Record<string, string> = {};
    // name, created, source, plan, last login
    const seed: Array<[string, string, string | null, string, string | null]> = [
      ['a', '2026-12-01T10:00:00Z', 'hn', 'free', '2026-12-03T10:00:00Z'], // this week (Mon 2026-11-30)
      ['b', '2026-12-02T10:00:00Z', 'hn', 'pro', '2026-11-20T10:00:00Z'], // this week, active in 30 not 7
      ['c', '2026-12-03T10:00:00Z', null, 'premium', null], // this week, direct
      ['d', '2026-11-24T10:00:00Z', 'twitter', 'pro', '2026-12-04T09:00:00Z'], // week of 2026-11-23
      ['e', '2026-11-23T00:00:00Z', 'hn', 'free', null], // week of 2026-11-23 (Monday midnight)
      ['f', '2026-01-05T10:00:00Z', 'hn', 'free', '2026-10-01T10:00:00Z'], // older than 12 weeks
    ];
    for (const [name, created, source, plan, login] of seed) {
      const id = randomUUID();
      users[name] = id;
      await t.dataSource.query(
        `INSERT INTO users (id, email, name, is_admin, plan, timezone, signup_source, last_login_at, created_at, updated_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${isPg() ? 'false' : '0'}, ${p(4)}, 'UTC', ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)})`,
        [id, `${name}@example.com`, name, plan, source, login ? at(new Date(login)) : null, at(new Date(created)), at(new Date(created))],
      );
    }
    const change = (u: string, from: string, to: string, when: string) =>
      t.dataSource.query(`INSERT INTO plan_changes (id, user_id, from_plan, to_plan, reason, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'seed', ${p(5)})`, [
        randomUUID(),
        users[u],
        from,
        to,
        at(new Date(when)),
      ]);
    await change('b', 'free', 'pro', '2026-12-02T12:00:00Z');
    await change('c', 'free', 'pro', '2026-11-05T12:00:00Z');
    await change('c', 'pro', 'premium', '2026-11-06T12:00:00Z');
    await change('d', 'free', 'pro', '2026-11-25T12:00:00Z');
    await change('a', 'free', 'pro', '2026-10-10T12:00:00Z');
    await change('a', 'pro', 'free', '2026-11-10T12:00:00Z');
    // d has a key used 3 days ago; e a revoked CLI key
    await t.dataSource.query(
      `INSERT INTO api_keys (id, user_id, name, key_hash, prefix, scope, last_used_at, created_at) VALUES (${p(1)}, ${p(2)}, 'cli: laptop', ${p(3)}, 'dh_x', 'write', ${p(4)}, ${p(5)})`,
      [randomUUID(), users.d, 'h'.repeat(64), at(new Date('2026-12-01T00:00:00Z')), at(new Date('2026-11-24T11:00:00Z'))],
    );

    const m = await t.app.get(AdminMetricsService).overview();
    expect(m.totalUsers).toBe(6);
    const week = (w: string) => m.signupWeeks.find((x) => x.week === w)!;
    expect(weekStart(now)).toBe('2026-11-30');
    expect(week('2026-11-30').total).toBe(3);
    expect(Object.fromEntries(week('2026-11-30').bySource.map((s) => [s.source, s.count]))).toEqual({ direct: 1, hn: 2, twitter: 0 });
    expect(week('2026-11-23').total).toBe(2);
    expect(m.signupWeeks.reduce((s, w) => s + w.total, 0)).toBe(5);
    // a logged in 1 day ago, d 3 h ago; b 14 days ago; d's key used 3 days ago
    expect(m.active7).toBe(2);
    expect(m.active30).toBe(3);
    expect(m.planMix).toEqual([
      { plan: 'free', users: 3, share: 50 },
      { plan: 'pro', users: 2, share: 33.3 },
      { plan: 'premium', users: 1, share: 16.7 },
    ]);
    expect(m.conversions).toEqual({ freeToPaid: 4, paidToFree: 1, upgradedUsers: 4, conversionRate: 66.7, churnRate: 25 });
    expect(m.months.find((x) => x.month === '2026-11')).toEqual({ month: '2026-11', conversions: 2, churns: 1 });
    expect(m.months.find((x) => x.month === '2026-12')).toEqual({ month: '2026-12', conversions: 1, churns: 0 });
    expect(m.revenue).toEqual({ proUsers: 2, premiumUsers: 1, pricePro: 12, pricePremium: 29.5, mrr: 53.5, arr: 642 });
    const adoption = Object.fromEntries(m.adoption.map((x) => [x.feature, x.users]));
    expect(adoption['API key used in the last 30 days']).toBe(1);
    expect(adoption['CLI keys ("cli: …")']).toBe(1);
    expect(adoption['GitHub connected']).toBe(0);
    jest.restoreAllMocks();
  });
});
