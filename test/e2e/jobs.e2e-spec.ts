import { randomUUID } from 'node:crypto';
import { CleanupJob } from '../../src/jobs/cleanup.job';
import { JobRunner } from '../../src/jobs/job-runner.service';
import { signUp, startTestApp, TestApp } from '../support/test-app';

describe('jobs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('records each run with its outcome and counts', async () => {
    const runner = t.app.get(JobRunner);
    const ok = await runner.run('demo-job', async () => ({ things: 3 }));
    expect(ok).toMatchObject({ outcome: 'succeeded', counts: { things: 3 } });
    const bad = await runner.run('demo-job', async () => {
      throw new Error('boom');
    });
    expect(bad).toMatchObject({ outcome: 'failed', error: 'boom' });
    const rows = await t.dataSource.query(`SELECT job, outcome, counts, finished_at FROM job_runs WHERE job = 'demo-job' ORDER BY started_at`);
    expect(rows.map((r: { outcome: string }) => r.outcome).sort()).toEqual(['failed', 'succeeded']);
    expect(rows.every((r: { finished_at: unknown }) => r.finished_at !== null)).toBe(true);
  });

  it('runs a job once when several runners start it together', async () => {
    const runner = t.app.get(JobRunner);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let executions = 0;
    const first = runner.run('exclusive-job', async () => {
      executions++;
      await gate;
      return {};
    });
    // the second start finds the lease of the first in the database and skips
    await new Promise((r) => setImmediate(r));
    const second = await runner.run('exclusive-job', async () => {
      executions++;
      return {};
    });
    release();
    await first;
    expect(second).toBeNull();
    expect(executions).toBe(1);
  });

  it('cleanup-old-data removes expired sessions and old tokens but keeps live ones', async () => {
    const agent = t.agent();
    await signUp(agent, { email: 'cleanup@example.com' });
    const [{ n: before }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM sessions');
    const user = (await t.dataSource.query(`SELECT id FROM users WHERE email = 'cleanup@example.com'`))[0];
    const isPg = t.config.databaseUrl.startsWith('postgres');
    const p = (i: number) => (isPg ? `$${i}` : '?');
    await t.dataSource.query(`INSERT INTO sessions (id, user_id, data, expires_at) VALUES (${p(1)}, ${p(2)}, '{}', ${p(3)})`, [randomUUID(), user.id, '2020-01-01 00:00:00']);
    const run = await t.app.get(CleanupJob).run();
    expect(run?.outcome).toBe('succeeded');
    expect(run?.counts.sessions).toBe(1);
    const [{ n: after }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM sessions');
    expect(Number(after)).toBe(Number(before));
    // the live session of the signed-in user survives
    await agent.get('/dashboard').expect(200);
  });
});
