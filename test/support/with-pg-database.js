#!/usr/bin/env node
// `npm run test:pg`: runs the given command (the e2e suite) against PostgreSQL.
// Each test file creates, and drops, its own fresh database through this admin connection.
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');

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
  const [cmd, ...args] = process.argv.slice(2);
  const res = spawnSync(cmd, args, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
    env: { ...process.env, TEST_PG_ADMIN_URL: admin, DATABASE_URL: admin },
  });
  process.exit(res.status ?? 1);
})();
