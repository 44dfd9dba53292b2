import { randomUUID } from 'node:crypto';
import type { JobContext, JobDefinition } from '../../src/jobs/job-api';
import { CleanupJob } from '../../src/jobs/cleanup.job';
import { JobsService } from '../../src/jobs/jobs.service';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { signUp, startTestApp, TestApp, waitFor } from '../support/test-app';

const isPg = () => Boolean(process.env.TEST_PG_ADMIN_URL);
const p = (i: number) => (isPg() ? `$${i}` : '?');
/** A timestamp as the driver stores it (SQLite keeps UTC text). */
const at = (d: Date) => (isPg() ? d : d.toISOString().replace('T', ' ').replace('Z', ''));

describe('jobs (in-process engine)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp();
    // a second instance on the same database
    b = await startTestApp({}, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.drop();
  });

  const runsOf = async (t: TestApp, job: string) =>
    (await t.dataSource.query(`SELECT job, slot, outcome, counts, error, attempt, instance, finished_at FROM job_runs WHERE job = ${p(1)} ORDER BY started_at, attempt`, [job])) as Array<{
      slot: string | Date | null;
      outcome: string;
      counts: string;
      error: string | null;
      attempt: number;
      instance: string;
      finished_at: unknown;
    }>;

  it('runs an on-demand job, reports its status to its owner only, and records the run', async () => {
    const seen: Array<JobContext<{ n: number }>> = [];
    a.app.get(JobsService).register<{ n: number }>({
      name: 'demo-count',
      queue: 'devhub-sync',
      timeoutMs: 5000,
      handler: async (ctx) => {
        seen.push(ctx);
        await ctx.progress({ things: 1 });
        return { things: ctx.payload.n };
      },
    });
    const jobs = a.app.get(JobsService);
    const { id, deduplicated } = await jobs.enqueue('demo-count', { n: 3 }, { ownerId: 'owner-1' });
    expect(deduplicated).toBe(false);
    expect(await jobs.status(id, 'owner-1')).toMatchObject({ id, name: 'demo-count', state: 'queued', counts: {}, error: null, startedAt: null });
    expect(await jobs.status(id, 'someone-else')).toBeNull();
    expect(await jobs.status(randomUUID())).toBeNull();
    const engine = a.app.get(LocalJobEngine);
    await engine.tick();
    await engine.drain();
    const done = await jobs.status(id, 'owner-1');
    expect(done).toMatchObject({ state: 'done', counts: { things: 3 }, error: null });
    expect(done!.finishedAt).toBeInstanceOf(Date);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ jobId: id, slot: null, ownerId: 'owner-1', payload: { n: 3 } });
    const runs = await runsOf(a, 'demo-count');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', error: null });
    expect(JSON.parse(runs[0].counts)).toEqual({ things: 3 });
    expect(runs[0].finished_at).not.toBeNull();
  });

  it('a second enqueue with the same key while the first is queued returns the same job', async () => {
    const jobs = a.app.get(JobsService);
    jobs.register({ name: 'demo-dedupe', queue: 'devhub-sync', timeoutMs: 5000, handler: async () => ({}) });
    const [first, second] = await Promise.all([
      jobs.enqueue('demo-dedupe', null, { ownerId: 'u1', dedupeKey: 'sync:u1' }),
      jobs.enqueue('demo-dedupe', null, { ownerId: 'u1', dedupeKey: 'sync:u1' }),
    ]);
    expect(second.id).toBe(first.id);
    expect([first.deduplicated, second.deduplicated].sort()).toEqual([false, true]);
    // another instance sees the same queued job
    b.app.get(JobsService).register({ name: 'demo-dedupe', queue: 'devhub-sync', timeoutMs: 5000, handler: async () => ({}) });
    expect((await b.app.get(JobsService).enqueue('demo-dedupe', null, { ownerId: 'u1', dedupeKey: 'sync:u1' })).id).toBe(first.id);
    // once it has run, the key is free again
    await a.app.get(LocalJobEngine).tick();
    await a.app.get(LocalJobEngine).drain();
    const third = await jobs.enqueue('demo-dedupe', null, { ownerId: 'u1', dedupeKey: 'sync:u1' });
    expect(third.id).not.toBe(first.id);
  });

  it('a job that throws is retried with backoff, then recorded failed; the next run goes ahead', async () => {
    const jobs = a.app.get(JobsService);
    let calls = 0;
    jobs.register({
      name: 'demo-flaky',
      queue: 'devhub-agent',
      timeoutMs: 5000,
      attempts: 2,
      backoffMs: 60_000,
      handler: async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    });
    const engine = a.app.get(LocalJobEngine);
    const { id } = await jobs.enqueue('demo-flaky', null);
    const t0 = Date.now();
    await engine.tick(new Date(t0));
    await engine.drain();
    expect(await jobs.status(id)).toMatchObject({ state: 'queued', error: 'boom 1' });
    // not before the backoff has passed
    await engine.tick(new Date(t0 + 30_000));
    await engine.drain();
    expect(calls).toBe(1);
    await engine.tick(new Date(t0 + 61_000));
    await engine.drain();
    expect(calls).toBe(2);
    expect(await jobs.status(id)).toMatchObject({ state: 'failed', error: 'boom 2' });
    expect((await runsOf(a, 'demo-flaky')).map((r) => [r.outcome, Number(r.attempt)])).toEqual([
      ['failed', 1],
      ['failed', 2],
    ]);
    // a failed job can be put back by the admin
    expect(await jobs.retryFailed(id)).toBe(true);
    expect(await jobs.status(id)).toMatchObject({ state: 'queued' });
    expect(await jobs.retryFailed(id)).toBe(false);
  });

  it('a run that passes its timeout is aborted and recorded failed', async () => {
    const jobs = a.app.get(JobsService);
    let aborted = false;
    jobs.register({
      name: 'demo-slow',
      queue: 'devhub-agent',
      timeoutMs: 50,
      attempts: 1,
      handler: (ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve({});
          });
        }),
    });
    const { id } = await jobs.enqueue('demo-slow', null);
    await a.app.get(LocalJobEngine).tick();
    await a.app.get(LocalJobEngine).drain();
    expect(aborted).toBe(true);
    expect(await jobs.status(id)).toMatchObject({ state: 'failed', error: 'timed out after 50 ms' });
  });

  it('two instances whose timers fire 0–2,000 ms apart run each slot once', async () => {
    const executions: Array<{ instance: string; slot: string }> = [];
    const def = (instance: string): JobDefinition => ({
      name: 'demo-minutely',
      queue: 'devhub-maintenance',
      schedule: { cron: '* * * * *' },
      timeoutMs: 5000,
      handler: async (ctx) => {
        executions.push({ instance, slot: ctx.slot!.toISOString() });
        return { done: 1 };
      },
    });
    const defA = def('a');
    const defB = def('b');
    const ea = a.app.get(LocalJobEngine);
    const eb = b.app.get(LocalJobEngine);
    const base = Date.parse('2030-01-01T00:00:00.000Z');
    const skews = [0, 1, 100, 250, 500, 999, 1000, 1500, 2000];
    for (const [i, skew] of skews.entries()) {
      const slot = base + i * 60_000;
      // one after the other (the first run has finished when the second timer fires)…
      await ea.tick(new Date(slot + 3), [defA]);
      await ea.drain();
      await eb.tick(new Date(slot + 3 + skew), [defB]);
      await eb.drain();
    }
    for (const [i, skew] of skews.entries()) {
      const slot = base + (skews.length + i) * 60_000;
      // …and at the same moment in both
      await Promise.all([ea.tick(new Date(slot + skew), [defA]), eb.tick(new Date(slot + 2000 - skew), [defB])]);
      await Promise.all([ea.drain(), eb.drain()]);
    }
    const slots = executions.map((e) => e.slot);
    expect(slots).toHaveLength(skews.length * 2);
    expect(new Set(slots).size).toBe(skews.length * 2);
    const runs = await runsOf(a, 'demo-minutely');
    expect(runs).toHaveLength(skews.length * 2);
    expect(runs.every((r) => r.outcome === 'succeeded')).toBe(true);
  });

  it('two running instances, timers out of phase, run each slot once', async () => {
    const executions: string[] = [];
    const def: JobDefinition = {
      name: 'demo-every-second',
      queue: 'devhub-maintenance',
      schedule: { everyMs: 1000 },
      timeoutMs: 5000,
      handler: async (ctx) => {
        executions.push(ctx.slot!.toISOString());
        return {};
      },
    };
    const c = await startTestApp({ JOBS_ENABLED: 'true' }, a.db);
    // the second instance starts a fraction of a second later: its timer fires out of phase with the first
    await new Promise((r) => setTimeout(r, 370));
    const d = await startTestApp({ JOBS_ENABLED: 'true' }, a.db);
    try {
      c.app.get(JobsService).register(def);
      d.app.get(JobsService).register(def);
      await waitFor(() => executions.length >= 4, 'four slots of demo-every-second', 15_000);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
    expect(new Set(executions).size).toBe(executions.length);
    const rows = await a.dataSource.query(`SELECT slot, COUNT(*) AS n FROM job_runs WHERE job = 'demo-every-second' GROUP BY slot`);
    expect(rows.length).toBe(executions.length);
    expect(rows.every((r: { n: unknown }) => Number(r.n) === 1)).toBe(true);
  });

  it('a slot whose holder was killed runs once its lease has expired', async () => {
    const ran: string[] = [];
    const def: JobDefinition = {
      name: 'demo-daily',
      queue: 'devhub-maintenance',
      schedule: { cron: '0 4 * * *' },
      timeoutMs: 5000,
      handler: async () => {
        ran.push('b');
        return { rows: 7 };
      },
    };
    const slot = new Date('2030-02-01T04:00:00.000Z');
    // the holder took the slot, recorded its run, and died without finishing or renewing its lease
    await a.dataSource.query(
      `INSERT INTO job_slots (job, slot, state, holder, lease_expires_at, attempts, available_at) VALUES ('demo-daily', ${p(1)}, 'running', 'dead-host:1:x', ${p(2)}, 1, ${p(3)})`,
      [at(slot), at(new Date(slot.getTime() + LocalJobEngine.LEASE_MS)), at(slot)],
    );
    await a.dataSource.query(
      `INSERT INTO job_runs (id, job, slot, attempt, instance, started_at, outcome, counts) VALUES (${p(1)}, 'demo-daily', ${p(2)}, 1, 'dead-host:1:x', ${p(3)}, 'running', '{}')`,
      [randomUUID(), at(slot), at(slot)],
    );
    const eb = b.app.get(LocalJobEngine);
    // while the lease holds, nobody else runs the slot
    await eb.tick(new Date(slot.getTime() + 30_000), [def]);
    await eb.drain();
    expect(ran).toEqual([]);
    await eb.tick(new Date(slot.getTime() + LocalJobEngine.LEASE_MS + 1000), [def]);
    await eb.drain();
    expect(ran).toEqual(['b']);
    const runs = (await runsOf(a, 'demo-daily')).sort((x, y) => Number(x.attempt) - Number(y.attempt));
    expect(runs.map((r) => [r.outcome, Number(r.attempt)])).toEqual([
      ['failed', 1],
      ['succeeded', 2],
    ]);
    expect(runs[0].error).toMatch(/lease expired/);
    const [row] = await a.dataSource.query(`SELECT state FROM job_slots WHERE job = 'demo-daily'`);
    expect(row.state).toBe('done');
    // and the slot never runs again
    await eb.tick(new Date(slot.getTime() + 10 * LocalJobEngine.LEASE_MS), [def]);
    await eb.drain();
    expect(ran).toEqual(['b']);
  });

  it('an instance with JOBS_ENABLED=false only enqueues', async () => {
    const ran: string[] = [];
    const jobs = b.app.get(JobsService);
    jobs.register({ name: 'demo-enqueue-only', queue: 'devhub-sync', timeoutMs: 5000, handler: async () => void ran.push('x') });
    const { id } = await jobs.enqueue('demo-enqueue-only', null);
    // b's engine never started (tests run with JOBS_ENABLED=false), so nothing picks it up by itself
    await new Promise((r) => setImmediate(r));
    expect(await jobs.status(id)).toMatchObject({ state: 'queued' });
    expect(ran).toEqual([]);
  });

  it('cleanup-old-data removes expired sessions and old tokens but keeps live ones, and runs registered steps', async () => {
    const agent = a.agent();
    await signUp(agent, { email: 'cleanup@example.com' });
    const [{ n: before }] = await a.dataSource.query('SELECT COUNT(*) AS n FROM sessions');
    const user = (await a.dataSource.query(`SELECT id FROM users WHERE email = 'cleanup@example.com'`))[0];
    await a.dataSource.query(`INSERT INTO sessions (id, user_id, data, expires_at) VALUES (${p(1)}, ${p(2)}, '{}', ${p(3)})`, [randomUUID(), user.id, '2020-01-01 00:00:00']);
    const steps: Date[] = [];
    a.app.get(JobsService).registerCleanup('demoCache', async (now) => {
      steps.push(now);
      return 5;
    });
    const now = new Date();
    const counts = await a.app.get(CleanupJob).run(now);
    expect(counts.sessions).toBe(1);
    expect(counts.demoCache).toBe(5);
    expect(steps).toEqual([now]);
    const [{ n: after }] = await a.dataSource.query('SELECT COUNT(*) AS n FROM sessions');
    expect(Number(after)).toBe(Number(before));
    // the live session of the signed-in user survives
    await agent.get('/dashboard').expect(200);
    // and as a scheduled job: its 03:17 slot runs once, with the counts in the run
    const def = a.app.get(JobsService).definition('cleanup-old-data');
    expect(def.schedule).toEqual({ cron: '17 3 * * *' });
    const slot = new Date('2030-03-01T03:17:00.000Z');
    await a.app.get(LocalJobEngine).tick(new Date(slot.getTime() + 500), [def]);
    await b.app.get(LocalJobEngine).tick(new Date(slot.getTime() + 1500), [b.app.get(JobsService).definition('cleanup-old-data')]);
    await Promise.all([a.app.get(LocalJobEngine).drain(), b.app.get(LocalJobEngine).drain()]);
    const runs = (await runsOf(a, 'cleanup-old-data')).filter((r) => new Date(isPg() ? (r.slot as Date) : `${String(r.slot)}Z`).getTime() === slot.getTime());
    expect(runs).toHaveLength(1);
    expect(runs[0].outcome).toBe('succeeded');
    expect(JSON.parse(runs[0].counts)).toMatchObject({ sessions: 0, demoCache: 5 });
  });

  it('cleanup-old-data rolls raw profile views older than 90 days into daily counts, then deletes them', async () => {
    const { ViewRollupService } = await import('../../src/analytics/view-rollup.service');
    const profileId = randomUUID();
    await signUp(a.agent(), { email: 'rollup@example.com' });
    const [owner] = await a.dataSource.query(`SELECT id FROM users WHERE email = 'rollup@example.com'`);
    await a.dataSource.query(`INSERT INTO public_profiles (id, user_id, username) VALUES (${p(1)}, ${p(2)}, 'rollup-owner')`, [profileId, owner.id]);
    const now = new Date('2031-06-01T12:00:00Z');
    const view = (created: string, day: string, viewer: string) =>
      a.dataSource.query(`INSERT INTO profile_views (id, profile_id, viewer_id, day, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`, [randomUUID(), profileId, viewer, day, at(new Date(created))]);
    await view('2031-01-10T10:00:00Z', '2031-01-10', 'v1');
    await view('2031-01-10T11:00:00Z', '2031-01-10', 'v1');
    await view('2031-01-10T12:00:00Z', '2031-01-10', 'v2');
    await view('2031-01-11T12:00:00Z', '2031-01-11', 'v3');
    // 60 days old: /analytics still shows it, so it stays raw
    await view('2031-04-02T12:00:00Z', '2031-04-02', 'v4');
    expect(await a.app.get(ViewRollupService).rollUp(now)).toBe(4);
    const days = await a.dataSource.query(`SELECT day, views, visitors FROM profile_view_days WHERE profile_id = '${profileId}' ORDER BY day`);
    expect(days.map((d: { day: string; views: unknown; visitors: unknown }) => [d.day, Number(d.views), Number(d.visitors)])).toEqual([
      ['2031-01-10', 3, 2],
      ['2031-01-11', 1, 1],
    ]);
    const [{ n }] = await a.dataSource.query(`SELECT COUNT(*) AS n FROM profile_views WHERE profile_id = '${profileId}'`);
    expect(Number(n)).toBe(1);
    // a late view of a rolled-up day adds to its count
    await view('2031-01-10T23:00:00Z', '2031-01-10', 'v9');
    expect(await a.app.get(ViewRollupService).rollUp(now)).toBe(1);
    const [jan10] = await a.dataSource.query(`SELECT views FROM profile_view_days WHERE profile_id = '${profileId}' AND day = '2031-01-10'`);
    expect(Number(jan10.views)).toBe(4);
  });
});
