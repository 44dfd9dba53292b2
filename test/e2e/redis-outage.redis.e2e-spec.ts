import Redis from 'ioredis';
import { TcpProxy } from '../fakes/tcp-proxy';
import { apiUser, ApiUser } from '../support/api';
import { startTestApp, TestApp, waitFor } from '../support/test-app';

/**
 * Runs under `npm run test:pg` (TEST_REDIS_URL). The app reaches Redis through a proxy the test
 * cuts while requests are running: the API keeps answering on per-instance counters, /readyz says
 * `degraded` (and stays 200), the outage is logged once, and the shared counters are used again
 * once Redis is back.
 */
describe('Redis lost under load', () => {
  const redisUrl = new URL(process.env.TEST_REDIS_URL!);
  let proxy: TcpProxy;
  let t: TestApp;
  let user: ApiUser;
  let redis: Redis;

  beforeAll(async () => {
    proxy = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    const viaProxy = new URL(redisUrl);
    viaProxy.port = String(proxy.port);
    t = await startTestApp({ REDIS_URL: viaProxy.toString(), RATE_LIMIT_FREE: '100000', LOG_LEVEL: 'info' });
    redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
    user = await apiUser(t);
  });
  afterAll(async () => {
    await t?.drop();
    await proxy?.stop();
    redis?.disconnect();
  });

  const sharedHits = async () => {
    const keys = await redis.keys('devhub:rl:*');
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
  };

  it('keeps serving through the outage and goes back to the shared counters', async () => {
    await waitFor(async () => (await t.agent().get('/readyz')).body.redis === 'ok', 'Redis to be connected');
    const before = await sharedHits();
    await user.read.get('/api/me').expect(200);
    expect(await sharedHits()).toBeGreaterThan(before);

    // load: 4 clients sending requests back to back while Redis goes away and comes back
    const statuses: number[] = [];
    let running = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) statuses.push((await user.read.get('/api/me')).status);
      }),
    );
    await waitFor(() => statuses.length > 20, 'requests before the cut');
    proxy.cut();
    const ready = await waitFor(async () => {
      const r = await t.agent().get('/readyz');
      return r.body.redis === 'degraded' && r;
    }, '/readyz to report Redis as degraded');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    const atCut = statuses.length;
    await waitFor(() => statuses.length > atCut + 50, 'requests during the outage', 15_000);
    const duringOutage = await sharedHits();

    proxy.restore();
    await waitFor(async () => (await t.agent().get('/readyz')).body.redis === 'ok', 'Redis to be back', 15_000);
    const afterRestore = statuses.length;
    await waitFor(() => statuses.length > afterRestore + 20, 'requests after Redis returned');
    running = false;
    await load;

    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // counted in Redis again
    expect(await sharedHits()).toBeGreaterThan(duringOutage);
    const outage = t.logs.filter((l) => l.includes('unreachable'));
    expect(outage).toHaveLength(1);
    expect(t.logs.filter((l) => l.includes('is back after'))).toHaveLength(1);
    expect(t.logs.join('\n')).not.toMatch(/Unhandled error event|ioredis/);
  });
});
