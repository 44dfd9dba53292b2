import { Global, Module } from '@nestjs/common';
import { AgentContactHold } from '../../src/agent/agent-report.entity';
import { DigestService } from '../../src/agent/digest.service';
import { AGENT_INSIGHT_SOURCE, AgentInsightSource, DigestInsight } from '../../src/agent/insight-source';
import { Clock } from '../../src/common/clock';
import { DAY_MS } from '../../src/common/time';
import { JobsService } from '../../src/jobs/jobs.service';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { aliasesIn, FakeOpenAi, startFakeOpenAi } from '../fakes/fake-openai';
import { ApiClient, createApiKey } from '../support/api';
import { Browser, outboxOf, sql } from '../support/crm';
import { htmlDecode, startTestApp, TestApp } from '../support/test-app';

/** Recognisable private values: none of them may ever reach the model. */
const SECRET = {
  email: 'ada.secret.4242@private-mail.example',
  phone: '+1 555 0199 4242',
  notes: 'PRIVATE-NOTE-XYZZY her husband is called Bob',
  summaryEmail: 'summary.leak.7777@private-mail.example',
  summaryPhone: '+44 20 7946 0958',
  summaryUrl: 'https://private.example/u/ada?token=abc123secret',
};

/** A small, real insight source (what the GitHub module provides in production). */
const insights: DigestInsight[] = [];
const testSource: AgentInsightSource = {
  async insightsSince(userId, since, limit) {
    return insights
      .filter((i) => (i as DigestInsight & { userId: string }).userId === userId && i.createdAt >= since)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit);
  },
};
@Global()
@Module({ providers: [{ provide: AGENT_INSIGHT_SOURCE, useValue: testSource }], exports: [AGENT_INSIGHT_SOURCE] })
class TestInsightsModule {}

describe('daily digest', () => {
  let fake: FakeOpenAi;
  let t: TestApp;
  let digest: DigestService;
  let grace: Browser;
  let graceId: string;
  const ids: Record<string, string> = {};
  let now: Date;

  /** A time as the app stores it: SQLite's UTC text, or ISO for PostgreSQL. */
  const dbTime = (d: Date) => (t.dataSource.options.type === 'postgres' ? d.toISOString() : d.toISOString().replace('T', ' ').replace('Z', ''));
  const resetToday = async () => {
    await sql(t, 'DELETE FROM agent_reports WHERE user_id = ?', [graceId]);
    await sql(t, 'DELETE FROM agent_model_cache');
    await sql(t, 'DELETE FROM agent_contact_holds WHERE user_id = ?', [graceId]);
  };

  beforeAll(async () => {
    fake = await startFakeOpenAi('good');
    t = await startTestApp({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test-not-a-real-key-0000', OPENAI_TIMEOUT: '1s', OPENAI_MODEL: 'fake-small' }, undefined, [
      { module: TestInsightsModule, global: true },
    ]);
    now = new Date();
    const clock = t.app.get(Clock);
    clock.now = () => new Date(now);
    digest = t.app.get(DigestService);

    grace = await Browser.signUp(t, 'Grace Hopper');
    graceId = await grace.userId();
    ids.ada = await grace.createContact({ name: 'Ada Lovelace', email: SECRET.email, phone: SECRET.phone, notes: SECRET.notes, company: 'Analytical Engines', isVip: 'true' });
    await grace.addTag(ids.ada, 'compilers');
    await grace.logInteraction(ids.ada, { type: 'call', summary: `Talked about fastjson; mail ${SECRET.summaryEmail} or call ${SECRET.summaryPhone}, see ${SECRET.summaryUrl}` });
    const long = new Date(now.getTime() - 94 * DAY_MS);
    await sql(t, 'UPDATE interactions SET occurred_at = ? WHERE contact_id = ?', [dbTime(long), ids.ada]);
    await sql(t, 'UPDATE contacts SET last_interaction_at = ?, created_at = ? WHERE id = ?', [dbTime(long), dbTime(long), ids.ada]);

    ids.brian = await grace.createContact({ name: 'Brian Kernighan', company: 'Bell Labs' });
    const twoDaysAgo = new Date(now.getTime() - 2 * DAY_MS).toISOString().slice(0, 10);
    await grace.addFollowUp(ids.brian, { dueAt: twoDaysAgo, note: 'PRIVATE-FOLLOWUP-NOTE send the contract' });
    ids.carol = await grace.createContact({ name: 'Carol Shaw', title: 'Game designer' });
    ids.dennis = await grace.createContact({ name: 'Dennis Ritchie' });
    const old = new Date(now.getTime() - 200 * DAY_MS);
    await sql(t, 'UPDATE contacts SET created_at = ? WHERE id IN (?, ?, ?)', [dbTime(old), ids.brian, ids.carol, ids.dennis]);
    insights.push(
      Object.assign({ id: 'ins-1', contactId: ids.carol, type: 'new_release' as const, title: 'Carol released v2.0 of fastjson', description: null, url: 'https://github.com/carol/fastjson/releases/v2.0', createdAt: new Date(now.getTime() - DAY_MS), acknowledged: false }, { userId: graceId }),
      Object.assign({ id: 'ins-2', contactId: ids.dennis, type: 'active_again' as const, title: 'Dennis is active again', description: null, url: null, createdAt: new Date(now.getTime() - 2 * DAY_MS), acknowledged: false }, { userId: graceId }),
    );
  });

  afterAll(async () => {
    await t?.drop();
    await fake?.close();
  });

  it('the rules pick every kind of candidate: overdue follow-up, quiet VIP, new insight, active again', async () => {
    fake.mode = 'good';
    await grace.post('/settings/account/digest', { useModel: 'false' }).expect(303);
    const before = fake.requests.length;
    const { view } = await digest.buildForUserId(graceId);
    expect(fake.requests.length).toBe(before); // opted out: nothing sent
    expect(view.engine).toBe('rules');
    const byContact = Object.fromEntries(view.priorities.map((p) => [p.contactId, p]));
    expect(byContact[ids.brian]!.kinds).toContain('followup_overdue');
    expect(byContact[ids.ada]!.kinds).toContain('vip_quiet');
    expect(byContact[ids.ada]!.reason).toBe('Ada is a VIP and you last spoke 94 days ago.');
    expect(byContact[ids.carol]!.reason).toBe('Carol released v2.0 of fastjson yesterday; you have not logged a conversation yet.');
    expect(byContact[ids.dennis]!.kinds).toEqual(['active_again']);
    expect(view.priorities[0]!.contactId).toBe(ids.brian);
    for (const p of view.priorities) expect(p.parts.reduce((s, x) => s + x.points, 0)).toBe(p.score);
    expect(view.insights.map((i) => i.id).sort()).toEqual(['ins-1', 'ins-2']);

    const page = await grace.get('/digest').expect(200);
    expect(page.text).toContain('model use is off for your account');
    expect(htmlDecode(page.text)).toContain('Carol released v2.0 of fastjson yesterday');
    const settings = await grace.get('/settings/account').expect(200);
    expect(settings.text).toMatch(/id="digest-use-model" type="checkbox" name="useModel" value="true" aria-describedby="digest-use-model-hint">/);
    await grace.post('/settings/account/digest', { useModel: ['false', 'true'] }).expect(303);
    expect((await grace.get('/settings/account')).text).toMatch(/aria-describedby="digest-use-model-hint" checked>/);
  });

  it('a digest through the model: re-ranked, the model’s words, tokens counted; outbox and notification written', async () => {
    await resetToday();
    fake.mode = 'good';
    const before = fake.requests.length;
    const { view, created } = await digest.buildForUserId(graceId);
    expect(created).toBe(true);
    expect(fake.requests.length).toBe(before + 1);
    const req = fake.requests[fake.requests.length - 1]!;
    expect(req.body.model).toBe('fake-small');
    expect(req.body.response_format).toMatchObject({ type: 'json_schema' });
    const aliases = aliasesIn(req.body);
    expect(view.engine).toBe('model');
    expect(view.model).toBe('fake-small');
    expect(view.promptTokens).toBe(321);
    expect(view.priorities.map((p) => p.reason)).toEqual([...aliases].reverse().map((a) => `Model reason for ${a}.`));
    expect(view.priorities[0]!.rulesReason).toBeTruthy();
    expect(view.priorities[view.priorities.length - 1]!.contactId).toBe(ids.brian); // the rules' first, reversed by the model

    const events = (await outboxOf(t, graceId)).filter((e) => e.type === 'digest.created');
    expect(events.at(-1)!.payload).toMatchObject({ id: view.id, engine: 'model' });
    const [note] = await sql<{ type: string; link: string }>(t, "SELECT type, link FROM notifications WHERE user_id = ? AND type = 'digest' ORDER BY created_at DESC", [graceId]);
    expect(note).toMatchObject({ type: 'digest', link: '/digest' });

    const page = await grace.get('/digest').expect(200);
    expect(page.text).toContain('Ranked and worded by the model <code>fake-small</code>');
    expect(page.text).toContain('Model draft for C1.');
  });

  it('a second identical build sends no request (answer cached by model + prompt)', async () => {
    await sql(t, 'DELETE FROM agent_reports WHERE user_id = ?', [graceId]);
    const before = fake.requests.length;
    const { view } = await digest.buildForUserId(graceId);
    expect(fake.requests.length).toBe(before);
    expect(view.engine).toBe('model');
    const [row] = await sql<{ cached: unknown }>(t, 'SELECT cached FROM agent_reports WHERE id = ?', [view.id]);
    expect(Boolean(row!.cached)).toBe(true);
    // and building "today" again does nothing at all
    const again = await digest.buildForUserId(graceId);
    expect(again.created).toBe(false);
    expect(again.view.id).toBe(view.id);
  });

  it.each([
    ['malformed', "The model's answer was not valid JSON in the expected shape"],
    ['unknown_contact', 'The model named a contact that was not in the list'],
    ['error500', 'The model server failed (HTTP 500)'],
    ['hang', 'The model did not answer within 1 s'],
    ['refusal', 'The model declined to answer'],
  ] as const)('%s falls back to the rules, and the page says so', async (mode, message) => {
    await resetToday();
    fake.mode = mode;
    const before = fake.requests.length;
    const { view } = await digest.buildForUserId(graceId);
    expect(fake.requests.length).toBe(before + 1);
    expect(view.engine).toBe('rules');
    expect(view.fallbackReason).toContain(message);
    expect(view.priorities[0]!.contactId).toBe(ids.brian);
    const page = await grace.get('/digest').expect(200);
    expect(htmlDecode(page.text)).toContain(`The rules answered.</strong> ${view.fallbackReason}`);
    const dash = await grace.get('/dashboard').expect(200);
    expect(dash.text).toContain('written by the rules (the model failed)');
    // a failed answer is not cached: the next build asks again
    expect(await sql(t, 'SELECT key FROM agent_model_cache')).toEqual([]);
  });

  it('a server without structured output is asked again with instructions only', async () => {
    await resetToday();
    fake.mode = 'no_structured_output';
    const before = fake.requests.length;
    const { view } = await digest.buildForUserId(graceId);
    expect(fake.requests.slice(before).map((r) => Boolean(r.body.response_format))).toEqual([true, false]);
    expect(view.engine).toBe('model');
  });

  const forbiddenValues = () => [
      SECRET.email,
      SECRET.phone,
      'PRIVATE-NOTE',
      'PRIVATE-FOLLOWUP-NOTE',
      SECRET.summaryEmail,
      SECRET.summaryPhone,
      'private.example',
      'abc123secret',
      'github.com/carol',
      graceId,
      grace.email,
      ...Object.values(ids),
      'Lovelace', // display names are first names only
  ];

  it('no e-mail, phone, note, URL, id or key ever reached the model', () => {
    expect(fake.requests.length).toBeGreaterThan(5);
    const forbidden = forbiddenValues();
    for (const r of fake.requests) {
      for (const value of forbidden) expect([value, r.raw.includes(value)]).toEqual([value, false]);
      // what is allowed does arrive
      expect(r.raw).toContain('Ada');
      expect(r.raw).toContain('Analytical Engines');
      expect(r.raw).toContain('Carol released v2.0 of fastjson');
      expect(r.raw).toContain('compilers');
      expect(r.raw).toContain('Talked about fastjson');
    }
  });

  it('acting on a priority: reached out logs an interaction; snooze, dismiss and undo; another user gets 404', async () => {
    const view = (await digest.today(graceId, 'UTC'))!;
    const beforeCount = (await sql(t, 'SELECT id FROM interactions WHERE contact_id = ?', [ids.brian])).length;
    await grace.post(`/digest/${view.id}/priorities/${ids.brian}/reached-out`).expect(303);
    expect((await sql(t, 'SELECT id FROM interactions WHERE contact_id = ?', [ids.brian])).length).toBe(beforeCount + 1);
    await grace.post(`/digest/${view.id}/priorities/${ids.carol}/snooze`, { days: '1' }).expect(303);
    await grace.post(`/digest/${view.id}/priorities/${ids.dennis}/dismiss`).expect(303);
    const after = (await digest.today(graceId, 'UTC'))!;
    const status = Object.fromEntries(after.priorities.map((p) => [p.contactId, p.status]));
    expect(status).toMatchObject({ [ids.brian]: 'done', [ids.carol]: 'snoozed', [ids.dennis]: 'dismissed' });
    const holds = await t.dataSource.getRepository(AgentContactHold).find({ where: { userId: graceId } });
    expect(holds.map((h) => h.kind).sort()).toEqual(['dismissed', 'done', 'snoozed']);
    const page = await grace.get('/digest').expect(200);
    expect(page.text).toContain('You reached out');

    // held contacts stay out of the next digest
    await sql(t, 'DELETE FROM agent_reports WHERE user_id = ?', [graceId]);
    const next = await digest.buildForUserId(graceId);
    expect(next.view.priorities.map((p) => p.contactId)).toEqual([ids.ada]);
    await grace.post(`/digest/${next.view.id}/priorities/${ids.ada}/dismiss`).expect(303);
    await grace.post(`/digest/${next.view.id}/priorities/${ids.ada}/reopen`).expect(303);
    expect((await digest.today(graceId, 'UTC'))!.priorities[0]!.status).toBe('open');

    const mallory = await Browser.signUp(t, 'Mallory Intruder');
    await mallory.post(`/digest/${next.view.id}/priorities/${ids.ada}/dismiss`).expect(404);
    await mallory.get(`/digest?day=${next.view.day}`).expect(200).expect((r) => expect(r.text).not.toContain('Ada Lovelace'));
    expect((await digest.today(graceId, 'UTC'))!.priorities[0]!.status).toBe('open');
  });

  it('API: latest digest, build now (200 when built today), another user’s digest is 404', async () => {
    const key = await createApiKey(grace.agent, 'write');
    const api = new ApiClient(t, key);
    const latest = await api.get('/api/digest/latest').expect(200);
    expect(latest.body.priorities[0].contactId).toBe(ids.ada);
    expect((await api.post('/api/digest', {}).expect(200)).body.id).toBe(latest.body.id);

    const other = await Browser.signUp(t, 'Olga Other');
    const otherApi = new ApiClient(t, await createApiKey(other.agent, 'write'));
    await otherApi.get('/api/digest/latest').expect(404);
    const own = await otherApi.post('/api/digest', {}).expect(202);
    expect(own.body).toEqual({ jobId: expect.any(String), state: 'queued' });
    // a second request while it is queued gets the same job
    expect((await otherApi.post('/api/digest', {}).expect(202)).body.jobId).toBe(own.body.jobId);
    await otherApi.get('/api/digest/latest').expect(404);
    const engine = t.app.get(LocalJobEngine);
    await engine.tick();
    await engine.drain();
    const built = await otherApi.get('/api/digest/latest').expect(200);
    expect(built.body).toMatchObject({ engine: 'rules', priorities: [] });
    expect((await otherApi.post('/api/digest', {}).expect(200)).body.id).toBe(built.body.id);
    // and one user never sees the other's
    expect((await api.get('/api/digest/latest').expect(200)).body.id).toBe(latest.body.id);
    const readKey = new ApiClient(t, await createApiKey(other.agent, 'read'));
    await readKey.post('/api/digest', {}).expect(403);
  });

  it('the dashboard card shows the latest digest; /digest lists earlier days', async () => {
    const dash = await grace.get('/dashboard').expect(200);
    expect(dash.text).toContain('Latest digest');
    expect(dash.text).toContain('Ada Lovelace');
    const page = await grace.get('/digest').expect(200);
    expect(page.text).toContain('Earlier digests');
    await grace.get('/digest?day=1999-01-01').expect(404);
  });

  it('"Build my digest now" on the page queues a job, shows that it is building, then the digest', async () => {
    const zoe = await Browser.signUp(t, 'Zoe Builder');
    await zoe.createContact({ name: 'Yuri Vip', isVip: 'true' });
    const empty = await zoe.get('/digest').expect(200);
    expect(empty.text).toContain('No digest for today yet.');
    const res = await zoe.post('/digest/build').expect(303);
    expect(res.headers.location).toMatch(/^\/digest\?job=/);
    const waiting = await zoe.get(res.headers.location).expect(200);
    expect(waiting.text).toContain('Your digest is being built');
    expect(waiting.text).toContain('http-equiv="refresh"');
    const engine = t.app.get(LocalJobEngine);
    await engine.tick();
    await engine.drain();
    const ready = await zoe.get(res.headers.location).expect(200);
    expect(ready.text).toContain('Yuri Vip');
    expect(ready.text).not.toContain('Your digest is being built');
  });

  describe('run-daily-agent', () => {
    const users: Record<string, string> = {};
    const days = async (userId: string) =>
      (await sql<{ local_day: string }>(t, 'SELECT local_day FROM agent_reports WHERE user_id = ? ORDER BY local_day', [userId])).map((r) => r.local_day);

    beforeAll(async () => {
      for (const [zone, name] of [
        ['America/New_York', 'Nina York'],
        ['Europe/Berlin', 'Bernd Berlin'],
        ['Asia/Tokyo', 'Taro Tokyo'],
      ]) {
        const b = await Browser.signUp(t, name!);
        await b.setTimezone(zone!, name);
        users[zone!] = await b.userId();
      }
    });

    it('builds after 07:00 local time in three zones, across the US DST change (2026-03-08)', async () => {
      const at = async (iso: string) => digest.runDaily(new Date(iso));
      await at('2026-03-07T21:30:00Z'); // NY 16:30, Berlin 22:30 (7 March), Tokyo 06:30 (8 March)
      expect(await days(users['America/New_York']!)).toEqual(['2026-03-07']);
      expect(await days(users['Europe/Berlin']!)).toEqual(['2026-03-07']);
      expect(await days(users['Asia/Tokyo']!)).toEqual([]);
      await at('2026-03-07T22:05:00Z'); // Tokyo 07:05
      expect(await days(users['Asia/Tokyo']!)).toEqual(['2026-03-08']);
      await at('2026-03-08T05:55:00Z'); // Berlin 06:55
      expect(await days(users['Europe/Berlin']!)).toEqual(['2026-03-07']);
      await at('2026-03-08T06:05:00Z'); // Berlin 07:05
      expect(await days(users['Europe/Berlin']!)).toEqual(['2026-03-07', '2026-03-08']);
      await at('2026-03-08T10:55:00Z'); // NY 06:55 EDT (the clocks went forward at 02:00)
      expect(await days(users['America/New_York']!)).toEqual(['2026-03-07']);
      await at('2026-03-08T11:05:00Z'); // NY 07:05 EDT; under EST it would still be 06:05
      expect(await days(users['America/New_York']!)).toEqual(['2026-03-07', '2026-03-08']);
      // running the same slot again builds nothing
      const again = await at('2026-03-08T11:05:00Z');
      expect(again.built).toBe(0);
    });

    it('is registered as a scheduled job every 15 minutes on devhub-agent, and its run builds digests', async () => {
      const jobs = t.app.get(JobsService);
      expect(jobs.definition('run-daily-agent')).toMatchObject({ queue: 'devhub-agent', schedule: { everyMs: 15 * 60_000 } });
      const engine = t.app.get(LocalJobEngine);
      await engine.tick(new Date('2026-03-10T12:00:00Z'));
      await engine.drain();
      // the scheduled run uses the clock (today, not the slot): every user now has today's digest
      const today = new Date(now).toISOString().slice(0, 10);
      const rows = await sql(t, 'SELECT user_id FROM agent_reports WHERE local_day >= ?', [today]);
      expect(rows.length).toBeGreaterThan(0);
      const [run] = await sql<{ outcome: string }>(t, "SELECT outcome FROM job_runs WHERE job = 'run-daily-agent' ORDER BY started_at DESC");
      expect(run!.outcome).toBe('succeeded');
    });

    it('two instances on one database build each digest once', async () => {
      fake.mode = 'good';
      const moment = new Date('2026-03-09T12:00:00.000Z');
      // PostgreSQL: a second app on the same database, running at the same time. SQLite: two
      // instances in one process would block each other's event loop on the file lock (a real second
      // instance is another process), so there two passes of this instance race instead; the unique
      // (user, local day) claim is what decides in both cases.
      const pg = t.dataSource.options.type === 'postgres';
      const t2 = pg ? await startTestApp({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test-not-a-real-key-0000', OPENAI_TIMEOUT: '1s' }, t.db, [{ module: TestInsightsModule, global: true }]) : t;
      try {
        const [a, b] = await Promise.all([digest.runDaily(moment), t2.app.get(DigestService).runDaily(moment)]);
        const rows = await sql<{ user_id: string; n: number }>(t, "SELECT user_id, COUNT(*) AS n FROM agent_reports WHERE local_day = '2026-03-09' GROUP BY user_id");
        const userCount = (await sql(t, 'SELECT id FROM users')).length;
        expect(rows.length).toBe(userCount);
        expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
        expect(a.built + b.built).toBe(userCount);
        expect([a.failed + b.failed, t.logs.filter((l) => l.includes('digest for a user failed')).join('\n')]).toEqual([0, '']);
      } finally {
        if (t2 !== t) await t2.close();
      }
    });
  });

  it('nothing private reached the model in any later request either', () => {
    for (const r of fake.requests) for (const value of forbiddenValues()) expect([value, r.raw.includes(value)]).toEqual([value, false]);
  });
});
