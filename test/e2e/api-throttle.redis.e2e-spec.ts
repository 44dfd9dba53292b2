import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { clientKey } from '../../src/common/api/client-key';
import { ApiClient, createApiKey, expectError, param, rateHeaders } from '../support/api';
import { createTestDatabase, signUp, startTestApp, TestApp, TestDatabase } from '../support/test-app';

/**
 * Runs only where a Redis server is provided (`npm run test:pg` sets TEST_REDIS_URL; jest.config.js
 * leaves *.redis.e2e-spec.ts out otherwise): two instances on one database and one Redis share the
 * per-key counter, as several instances behind a load balancer must.
 */
describe('REST API rate limits shared through Redis', () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  let db: TestDatabase;
  let one: TestApp;
  let two: TestApp;
  let redis: Redis;
  const env = () => ({ REDIS_URL: redisUrl, RATE_LIMIT_FREE: '10' });

  beforeAll(async () => {
    expect(redisUrl).toMatch(/^rediss?:\/\//);
    redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    db = await createTestDatabase();
    one = await startTestApp(env(), db);
    two = await startTestApp(env(), db);
  });
  afterAll(async () => {
    await two?.close().catch(() => undefined);
    await one?.drop();
    redis?.disconnect();
  });

  it('two instances count one account against one limit', async () => {
    const agent = one.agent();
    await signUp(agent, { name: 'Shared Counter' });
    const key = await createApiKey(agent, 'read', 'shared');
    const onOne = new ApiClient(one, key);
    const onTwo = new ApiClient(two, key);

    for (let i = 1; i <= 10; i++) {
      const res = await (i % 2 ? onOne : onTwo).get('/api/me').expect(200);
      expect(rateHeaders(res)).toMatchObject({ limit: 10, remaining: 10 - i });
    }
    for (const client of [onOne, onTwo]) {
      const refused = await client.get('/api/contacts');
      expectError(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    }

    // the counter lives in Redis, with the window as its expiry
    const [row] = await one.dataSource.query(`SELECT user_id FROM api_keys WHERE prefix = ${param(one, 1)}`, [key.slice(0, 10)]);
    const keys = await redis.keys(`*user:${row.user_id}`);
    expect(keys).toHaveLength(1);
    expect(Number(await redis.get(keys[0]))).toBe(12);
    const ttl = await redis.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);

    // a new instance (a restart, a scale-out) sees the same count
    await two.close();
    two = await startTestApp(env(), db);
    expectError(await new ApiClient(two, key).get('/api/me'), 429);

    // another key of the same account shares the spent budget on both instances
    const other = await createApiKey(agent, 'read', 'other');
    expectError(await new ApiClient(one, other).get('/api/me'), 429);
    expectError(await new ApiClient(two, other).get('/api/me'), 429);
    // another account has its own budget on both instances
    const stranger = one.agent();
    await signUp(stranger, { name: 'Stranger' });
    const theirs = await createApiKey(stranger, 'read', 'theirs');
    expect(rateHeaders(await new ApiClient(one, theirs).get('/api/me').expect(200)).remaining).toBe(9);
    expect(rateHeaders(await new ApiClient(two, theirs).get('/api/me').expect(200)).remaining).toBe(8);
  });

  it('two instances share the public profile API limit per client (an IPv6 /64)', async () => {
    // a fresh network each run (counters outlive a run by up to a minute); an IPv6 client counts per /64
    const net = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    const ip = (i: number) => `${net}::${(i + 1).toString(16)}`;
    const proxied = await startTestApp({ ...env(), TRUST_PROXY: '1' }, db);
    const proxiedToo = await startTestApp({ ...env(), TRUST_PROXY: '1' }, db);
    try {
      for (let i = 1; i <= 60; i++) {
        const res = await (i % 2 ? proxied : proxiedToo).agent().get('/api/profiles/@nobody-here').set('X-Forwarded-For', ip(i)).expect(404);
        expect(res.headers['x-ratelimit-remaining']).toBe(String(60 - i));
      }
      for (const app of [proxied, proxiedToo]) {
        const refused = await app.agent().get('/api/profiles/@nobody-here').set('X-Forwarded-For', ip(1000)).expect(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(await redis.keys(`*profiles:ip:${clientKey(ip(0))}`)).toHaveLength(1);
    } finally {
      await proxiedToo.close();
      await proxied.close();
    }
  });
});
