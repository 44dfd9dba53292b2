#!/usr/bin/env node
// `npm run test:pg`: runs the given command (the e2e suite) against PostgreSQL.
// Each test file creates, and drops, its own fresh database through this admin connection.
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');
const Redis = require('ioredis');

// The multi-instance tests (*.redis.e2e-spec.ts) run here, against a Redis database index of their own.
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/5';

/** TEST_REDIS_URL, or the local default when it answers PING; null (said loudly) when there is none. */
async function findRedis() {
  const url = process.env.TEST_REDIS_URL || DEFAULT_REDIS_URL;
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    console.log(`test:pg: Redis at ${new URL(url).host}${new URL(url).pathname} for the *.redis.e2e-spec.ts files`);
    return url;
  } catch (err) {
    const line = `test:pg: cannot reach Redis at ${url} (${err.message}); the *.redis.e2e-spec.ts files need it`;
    // CI always has Redis (.ci/run starts it), and so does anyone who named one: there, missing it is a failure
    if (process.env.TEST_REDIS_URL || process.env.CI) {
      console.error(line);
      process.exit(2);
    }
    console.warn(`${line} and are NOT run`);
    return null;
  } finally {
    redis.disconnect();
  }
}

const admin = process.env.TEST_PG_ADMIN_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
if (!/^postgres(ql)?:\/\//.test(admin)) {
  console.error(`test:pg needs a postgres:// URL in TEST_PG_ADMIN_URL or DATABASE_URL (got ${admin.split(':')[0]}:…)`);
  process.exit(2);
}

(async () => {
  const client = new Client({ connectionString: admin });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    console.log(`test:pg: PostgreSQL ${rows[0].server_version} at ${new URL(admin).host}`);
  } catch (err) {
    console.error(`test:pg: cannot reach PostgreSQL (${err.message})`);
    process.exit(2);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redisUrl = await findRedis();
  const [cmd, ...args] = process.argv.slice(2);
  const res = spawnSync(cmd, args, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
    env: { ...process.env, TEST_PG_ADMIN_URL: admin, DATABASE_URL: admin, ...(redisUrl ? { TEST_REDIS_URL: redisUrl } : {}) },
  });
  process.exit(res.status ?? 1);
})();
