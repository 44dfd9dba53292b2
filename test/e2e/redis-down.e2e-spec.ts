import { createServer } from 'node:net';
import { apiUser, expectError, rateHeaders } from '../support/api';
import { startTestApp, TestApp } from '../support/test-app';

/** A port that nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** No Redis server needed: REDIS_URL points at a closed port. */
describe('REDIS_URL set but Redis unreachable', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}/11`, RATE_LIMIT_FREE: '5', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('starts, serves the API on per-instance counters, and logs the outage once', async () => {
    const user = await apiUser(t);
    // the window is counted in this process: each request takes one, then the limit holds
    const first = rateHeaders(await user.read.get('/api/me').expect(200));
    expect(first.limit).toBe(5);
    for (let left = first.remaining - 1; left >= 0; left--) {
      expect(rateHeaders(await user.read.get('/api/me').expect(200)).remaining).toBe(left);
    }
    const refused = await user.read.get('/api/contacts');
    expectError(refused, 429);
    const warnings = t.logs.filter((l) => l.includes('unreachable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Redis (rate-limits');
    // one line, no ioredis stack traces
    expect(t.logs.join('\n')).not.toMatch(/ioredis|Unhandled error event/);
  });

  it('/readyz reports Redis as degraded without failing', async () => {
    const res = await t.agent().get('/readyz').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', redis: 'degraded' });
  });
});
