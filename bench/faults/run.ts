/**
 * Fault figures (issue 11). Runs DevHub on loopback, breaks something, and prints for each fault:
 * acknowledged writes lost (must be 0), time to recover, and what /readyz said. Bounded (a few
 * minutes), loopback only; asserts nothing. Needs `npm run build` first (npm run bench:faults does it).
 *
 *   npm run bench:faults                       # SQLite faults, Redis and the webhook crash
 *   npm run bench:faults -- --pg               # also the PostgreSQL kill -9 soak and read-only case
 *   --clients 20 --kills 5                     # soak shape (--no-soak leaves it out)
 *
 * PostgreSQL: TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test); Redis: TEST_REDIS_URL
 * (default redis://127.0.0.1:6379/11) for the cut-under-load case.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { TcpProxy } from '../../test/fakes/tcp-proxy';
import { arg, out } from '../lib/cli';
import { FormClient } from '../lib/form-client';
import { freePort, productionEnv } from '../lib/server';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const CLIENTS = arg('clients', 20);
const KILLS = arg('kills', 5);
const PG_ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/11';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Server {
  child: ChildProcess;
  base: string;
  logs: string[];
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, port: number): Server {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...env, PORT: String(port), HOST: '127.0.0.1' } });
  const logs: string[] = [];
  child.stdout!.on('data', (d) => logs.push(String(d)));
  child.stderr!.on('data', (d) => logs.push(String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, base: `http://127.0.0.1:${port}`, logs, exited };
}

async function readyz(base: string): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** What /readyz said, polled every 200 ms for `ms`: answer → how many times. */
async function sampleReadyz(base: string, ms: number, describe: (r: { status: number; body: Record<string, unknown> }) => string) {
  const seen = new Map<string, number>();
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const r = await readyz(base);
    const k = r ? describe(r) : 'no answer';
    seen.set(k, (seen.get(k) ?? 0) + 1);
    await sleep(200);
  }
  return JSON.stringify(Object.fromEntries(seen));
}

async function waitReady(server: Server, timeoutMs = 180_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.logs.join('').slice(-2000)}`);
    if ((await readyz(server.base))?.status === 200) return Date.now() - t0;
    await sleep(50);
  }
  throw new Error('server not ready in time');
}

/** Signs a user up and creates a write key through the forms, as a person does. */
async function writeKey(base: string, signedIn?: FormClient): Promise<string> {
  const c = signedIn ?? new FormClient(base);
  if (!signedIn) await c.submit('/signup', '/signup', { name: 'Fault Bench', email: `fault-${randomUUID().slice(0, 8)}@bench.local`, password: 'bench-password' });
  const page = await c.get('/settings/api-keys');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
  const res = await fetch(`${base}/settings/api-keys`, {
    method: 'POST',
    headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, name: 'bench', scope: 'write' }).toString(),
  });
  return /(dh_[A-Za-z0-9_]{30,})/.exec(await res.text())![1];
}

/** `clients` loops POSTing contacts until stopped; every 201's id is kept. Connection errors are retried. */
function writers(getBase: () => string, key: string, clients: number) {
  const acked: string[] = [];
  const statuses = new Map<number | string, number>();
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    let n = 0;
    while (running) {
      try {
        const res = await fetch(`${getBase()}/api/contacts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Writer ${i} #${n++}`, notes: 'x'.repeat(300) }),
          signal: AbortSignal.timeout(10_000),
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const body = (await res.json()) as { id?: string };
        if (res.status === 201 && body.id) acked.push(body.id);
      } catch {
        statuses.set('conn', (statuses.get('conn') ?? 0) + 1);
        await sleep(20);
      }
    }
  });
  return {
    acked,
    statuses,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function countMissing(databaseUrl: string, ids: string[]): Promise<number> {
  const present = new Set<string>();
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice(7), { readonly: true });
    for (const r of db.prepare('SELECT id FROM contacts').all() as Array<{ id: string }>) present.add(r.id);
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') out(`    integrity_check: ${String(check)}`);
    db.close();
  } else {
    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    for (const r of (await c.query('SELECT id FROM contacts')).rows) present.add(r.id);
    await c.end();
  }
  return ids.filter((id) => !present.has(id)).length;
}

async function pgDatabase(): Promise<string> {
  const name = `devhub_faults_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

function envFor(databaseUrl: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'devhub-faults-'));
  return { ...productionEnv(dir, 'unused', 'http://127.0.0.1'), DATABASE_URL: databaseUrl, RATE_LIMIT_FREE: '1000000', ...extra };
}

/** kill -9 under write load, `kills` times; lost = acknowledged ids missing afterwards. */
async function killSoak(label: string, databaseUrl: string) {
  const port = await freePort();
  const env = envFor(databaseUrl);
  let server = start(env, port);
  await waitReady(server);
  const key = await writeKey(server.base);
  const w = writers(() => server.base, key, CLIENTS);
  const recoveries: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    await sleep(3000);
    server.child.kill('SIGKILL');
    await server.exited;
    const t0 = Date.now();
    server = start(env, port);
    await waitReady(server);
    recoveries.push(Date.now() - t0);
  }
  await sleep(2000);
  await w.stop();
  server.child.kill('SIGTERM');
  await server.exited;
  const lost = await countMissing(databaseUrl, w.acked);
  out(`kill -9 soak, ${label}: ${CLIENTS} writers, ${KILLS} kills: ${w.acked.length} acknowledged, lost ${lost}; restart to /readyz 200: avg ${s(recoveries.reduce((a, b) => a + b, 0) / recoveries.length)}, max ${s(Math.max(...recoveries))}; answers ${JSON.stringify(Object.fromEntries(w.statuses))}`);
}

/** PostgreSQL stops taking writes (the database turned read-only under the pool) for 5 s under load. */
async function pgReadOnly() {
  const databaseUrl = await pgDatabase();
  const name = new URL(databaseUrl).pathname.slice(1);
  const port = await freePort();
  const server = start(envFor(databaseUrl), port);
  await waitReady(server);
  const key = await writeKey(server.base);
  const w = writers(() => server.base, key, CLIENTS);
  await sleep(2000);
  const admin = new Client({ connectionString: PG_ADMIN });
  await admin.connect();
  const flip = async (on: boolean) => {
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
  };
  await flip(true);
  const seen = await sampleReadyz(server.base, 5000, (r) => `${r.status} ${String(r.body.database)}`);
  await flip(false);
  const t1 = Date.now();
  while ((await readyz(server.base))?.status !== 200) await sleep(50);
  const recovered = Date.now() - t1;
  await sleep(1000);
  await w.stop();
  await admin.end();
  server.child.kill('SIGTERM');
  await server.exited;
  const lost = await countMissing(databaseUrl, w.acked);
  out(`PostgreSQL read-only for 5 s under ${CLIENTS} writers: ${w.acked.length} acknowledged, lost ${lost}; answers ${JSON.stringify(Object.fromEntries(w.statuses))}; /readyz while read-only ${seen}; ready again ${s(recovered)} after writes were allowed`);
}

/** SQLite full for 5 s under load: in-process, since PRAGMA max_page_count applies to the app's own connection. */
async function sqliteFull() {
  // in-process: PRAGMA max_page_count is per connection, so the bench holds the app's connection
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestApp } = require('../../test/support/test-app') as typeof import('../../test/support/test-app');
  process.env.LOG_LEVEL = 'error';
  let t = await startTestApp({ RATE_LIMIT_FREE: '1000000' });
  const key = await writeKey(t.baseUrl);
  const w = writers(() => t.baseUrl, key, CLIENTS);
  await sleep(1500);
  const [{ page_count }] = await t.dataSource.query('PRAGMA page_count');
  await t.dataSource.query(`PRAGMA max_page_count = ${Number(page_count) + 2}`);
  const seen = await sampleReadyz(t.baseUrl, 5000, (r) => `${r.status} ${String(r.body.database)}`);
  await t.dataSource.query('PRAGMA max_page_count = 1073741823');
  const t1 = Date.now();
  while ((await readyz(t.baseUrl))?.status !== 200) await sleep(50);
  const recovered = Date.now() - t1;
  await sleep(1000);
  await w.stop();
  const db = t.db;
  await t.close();
  t = await startTestApp({}, db);
  await t.close();
  const lost = await countMissing(db.url, w.acked);
  await db.drop();
  out(`SQLite full (max_page_count) for 5 s under ${CLIENTS} writers: ${w.acked.length} acknowledged, lost ${lost} after a restart; answers ${JSON.stringify(Object.fromEntries(w.statuses))}; /readyz while full ${seen}; ready again ${s(recovered)} after space returned`);
}

async function apiLatency(base: string, key: string, n: number) {
  const times: number[] = [];
  const statuses = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${key}` } });
      await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    } catch {
      statuses.set('conn', (statuses.get('conn') ?? 0) + 1);
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { statuses, p50: times[Math.floor(n / 2)], max: times[n - 1] };
}

async function redisFaults() {
  // closed port
  const closed = await freePort();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'devhub-faults-'));
  let server = start(envFor(`sqlite:${join(dir, 'devhub.db')}`, { REDIS_URL: `redis://127.0.0.1:${closed}/11` }), port);
  await waitReady(server);
  const key = await writeKey(server.base);
  const lat = await apiLatency(server.base, key, 200);
  const ready = await readyz(server.base);
  const warnLines = server.logs.join('').split('\n').filter((l) => l.includes('unreachable')).length;
  server.child.kill('SIGTERM');
  await server.exited;
  out(`Redis at a closed port: 200 × GET /api/me ${JSON.stringify(Object.fromEntries(lat.statuses))}, p50 ${lat.p50.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms; /readyz ${ready?.status} ${JSON.stringify(ready?.body)}; outage log lines: ${warnLines}`);

  // cut under load through a proxy
  const target = new URL(REDIS);
  const proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
  const via = new URL(REDIS);
  via.port = String(proxy.port);
  server = start(envFor(`sqlite:${join(dir, 'devhub2.db')}`, { REDIS_URL: via.toString() }), await freePort());
  await waitReady(server);
  const key2 = await writeKey(server.base);
  const w = writers(() => server.base, key2, CLIENTS);
  await sleep(2000);
  proxy.cut();
  const seen = await sampleReadyz(server.base, 5000, (r) => `${r.status} redis=${String(r.body.redis)}`);
  proxy.restore();
  const t1 = Date.now();
  while ((await readyz(server.base))?.body.redis !== 'ok') await sleep(50);
  const back = Date.now() - t1;
  await sleep(1000);
  await w.stop();
  server.child.kill('SIGTERM');
  await server.exited;
  await proxy.stop();
  const lost = await countMissing(`sqlite:${join(dir, 'devhub2.db')}`, w.acked);
  const logs = server.logs.join('').split('\n');
  out(`Redis cut for 5 s under ${CLIENTS} writers: ${w.acked.length} acknowledged, lost ${lost}; answers ${JSON.stringify(Object.fromEntries(w.statuses))}; /readyz during ${seen}; shared counters again ${s(back)} after Redis returned; log lines: ${logs.filter((l) => l.includes('unreachable')).length} outage, ${logs.filter((l) => l.includes('is back after')).length} back`);
}

async function stalledShutdown(timeout: string) {
  const dir = mkdtempSync(join(tmpdir(), 'devhub-faults-'));
  const server = start(envFor(`sqlite:${join(dir, 'devhub.db')}`, { SHUTDOWN_TIMEOUT: timeout }), await freePort());
  await waitReady(server);
  const sock = connect(Number(new URL(server.base).port), '127.0.0.1');
  sock.on('error', () => undefined);
  await new Promise((r) => sock.on('connect', r));
  sock.write('POST /api/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n');
  const t0 = Date.now();
  server.child.kill('SIGTERM');
  const code = await server.exited;
  out(`SIGTERM with a client that sent half a request (SHUTDOWN_TIMEOUT=${timeout}): exit code ${code} after ${s(Date.now() - t0)}`);
}

async function permanentStartError() {
  const url = new URL(PG_ADMIN);
  url.pathname = '/devhub_no_such_database';
  const t0 = Date.now();
  const server = start(envFor(url.toString()), await freePort());
  const code = await server.exited;
  out(`start-up with a missing PostgreSQL database: exit ${code} after ${s(Date.now() - t0)}: ${server.logs.join('').split('\n').filter((l) => l.startsWith('DevHub failed')).join(' ')}`);
}

/** 500 events, kill -9 while deliveries are in flight, restart: all delivered? how late? */
async function webhookCrash() {
  const received = new Map<string, number[]>();
  const receiver = http.createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        received.set(id, [...(received.get(id) ?? []), Date.now()]);
        res.end('ok');
      }, 150),
    );
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const rport = (receiver.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'devhub-faults-'));
  const env = envFor(`sqlite:${join(dir, 'devhub.db')}`, { JOBS_ENABLED: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
  const port = await freePort();
  let server = start(env, port);
  await waitReady(server);
  const c = new FormClient(server.base);
  await c.submit('/signup', '/signup', { name: 'Hook Bench', email: 'hooks@bench.local', password: 'bench-password' });
  await c.submit('/settings/webhooks', '/settings/webhooks', { url: `http://127.0.0.1:${rport}/hook`, allEvents: 'true' });
  const key = await writeKey(server.base, c);
  for (let i = 0; i < 500; i += 25) {
    await Promise.all(
      Array.from({ length: 25 }, (_, j) =>
        fetch(`${server.base}/api/contacts`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Hook ${i + j}` }) }),
      ),
    );
  }
  while (received.size < 100) await sleep(20);
  server.child.kill('SIGKILL');
  await server.exited;
  const killedAt = Date.now();
  const before = received.size;
  server = start(env, port);
  await waitReady(server);
  const restartedAt = Date.now();
  const deadline = Date.now() + 120_000;
  while (received.size < 500 && Date.now() < deadline) await sleep(50);
  const after = [...received.values()].map((ts) => ts[0]).filter((t) => t > killedAt);
  const dupes = [...received.values()].filter((ts) => ts.length > 1).length;
  server.child.kill('SIGTERM');
  await server.exited;
  receiver.close();
  out(`webhook crash: 500 events, kill -9 after ${before} delivered: ${received.size}/500 delivered, ${dupes} twice; restart took ${s(restartedAt - killedAt)}; last delivery ${s(Math.max(...after) - restartedAt)} after the restart was ready (${s(Math.max(...after) - killedAt)} after the kill)`);
}

async function main() {
  out(`DevHub fault figures (loopback; the machine may be shared, so times are noisy)`);
  if (arg('webhooks-only')) return webhookCrash();
  if (!arg('no-soak')) {
    await killSoak('SQLite', `sqlite:${join(mkdtempSync(join(tmpdir(), 'devhub-faults-')), 'devhub.db')}`);
    if (arg('pg')) await killSoak('PostgreSQL', await pgDatabase());
  }
  await sqliteFull();
  if (arg('pg')) await pgReadOnly();
  await redisFaults();
  await stalledShutdown('10s');
  if (arg('pg')) await permanentStartError();
  await webhookCrash();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
