/**
 * REST API throughput: DevHub against a bare node:http + better-sqlite3 server on the same data.
 *
 * Seeds a fresh SQLite file with one user and 20,000 contacts (bench/contacts/generate.ts), creates
 * an API key through ApiKeysService, then starts
 *   (a) DevHub from dist/ (NODE_ENV=production, LOG_LEVEL=warn, throttling on with the free limit
 *       raised so no request is refused), driven with the real key, and
 *   (b) bench/api/bare-server.ts on the same file,
 * checks that both answer GET /api/contacts?limit=50 with the same JSON, and drives each with
 * autocannon (50 connections, 10 s after a 3 s warm-up). Prints req/s, p50 and p99 and the ratio;
 * asserts nothing. Goal: DevHub ≥ 0.5× the bare server, p99 < 30 ms.
 *
 *   npm run bench:api            (builds first)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=100 npm run bench:api
 *   BENCH_DATA_DIR=/tmp/devhub-bench npm run bench:api     (seeds once, reuses the database after)
 *   BENCH_DEVHUB_MAIN=/elsewhere/dist/src/main.js …          (another build of DevHub, for a before/after)
 *   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" …   (CPU profile of DevHub)
 */
import 'reflect-metadata';
import { freePort, productionEnv } from '../lib/server';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 20_000);
const PATH = '/api/contacts?limit=50';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; mean: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
// autocannon ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

async function waitUntil(url: string, child: ChildProcess, what: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within 60 s`);
}

async function seed(dbFile: string, dataDir: string, env: Record<string, string>) {
  // entity column types follow DATABASE_URL, so it is set before any entity is loaded
  process.env.DATABASE_URL = `sqlite:${dbFile}`;
  const { NestFactory } = await import('@nestjs/core');
  const { DataSource } = await import('typeorm');
  const { AppModule } = await import('../../src/app.module');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { ApiKeysService } = await import('../../src/api-keys/api-keys.service');
  const { ensureUser, generateContacts } = await import('../contacts/generate');
  const config = loadConfig({ ...env, DATA_DIR: dataDir });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new JsonLogger('warn') });
  try {
    const userId = await ensureUser(app, 'bench@devhub.local', 'bench-password');
    const generated = await generateContacts(app.get(DataSource), userId, { contacts: CONTACTS });
    const { key } = await app.get(ApiKeysService).create(userId, 'bench', 'read');
    return { userId, key, generated };
  } finally {
    await app.close();
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used, in ms; null where /proc is missing. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

async function drive(name: string, url: string, headers: Record<string, string>, pid: number) {
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP, headers });
  const before = cpuMs(pid);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  const after = cpuMs(pid);
  // the server's own CPU per request: comparable even when other work shares the machine
  const cpu = before !== null && after !== null ? (after - before) / r.requests.total : null;
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, cpu, bad: r.non2xx + r.errors + r.timeouts };
}

async function main() {
  // BENCH_DEVHUB_MAIN runs another build (say, an earlier commit's dist/src/main.js) for a before/after
  const devhubMain = resolve(process.env.BENCH_DEVHUB_MAIN ?? join(ROOT, 'dist', 'src', 'main.js'));
  if (!existsSync(devhubMain)) throw new Error(`${devhubMain} is missing: run \`npm run build\` first (npm run bench:api does)`);
  // BENCH_DATA_DIR keeps the seeded database for the next run (handy while profiling)
  const keep = process.env.BENCH_DATA_DIR ? resolve(process.env.BENCH_DATA_DIR) : null;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'devhub-bench-api-'));
  mkdirSync(dir, { recursive: true });
  const dbFile = join(dir, 'bench.db');
  const saved = join(dir, 'bench.json');
  const children: ChildProcess[] = [];
  // throttling stays on; the limit is raised so no request of the run is refused
  const env = productionEnv(dir, dbFile, 'http://127.0.0.1:3000', { RATE_LIMIT_FREE: '1000000' });

  try {
    const started = Date.now();
    let seeded: { userId: string; key: string };
    if (keep && existsSync(saved)) {
      seeded = JSON.parse(readFileSync(saved, 'utf8'));
      console.log(`reusing the database in ${dir}`);
    } else {
      const { userId, key, generated } = await seed(dbFile, dir, env);
      seeded = { userId, key };
      if (keep) writeFileSync(saved, JSON.stringify(seeded));
      console.log(`seeded ${generated.contacts} contacts, ${generated.interactions} interactions, ${generated.tagLinks} tag links in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const { userId, key } = seeded;

    const devhubPort = await freePort();
    const barePort = await freePort();
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles DevHub
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const devhub = spawn(process.execPath, [...nodeArgs, devhubMain], { cwd: dir, env: { ...env, PORT: String(devhubPort), HOST: '127.0.0.1' }, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(devhub);
    // DevHub applies any pending migration at start; the bare server opens the file after that
    await waitUntil(`http://127.0.0.1:${devhubPort}/readyz`, devhub, 'DevHub');
    const bare = spawn(process.execPath, ['-r', join(ROOT, 'test', 'support', 'swc-register.js'), join(__dirname, 'bare-server.ts')], {
      cwd: ROOT,
      env: { PATH: env.PATH, BENCH_DB: dbFile, BENCH_USER_ID: userId, PORT: String(barePort) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(bare);
    await waitUntil(`http://127.0.0.1:${barePort}/api/contacts?limit=1`, bare, 'the bare server');

    const auth = { authorization: `Bearer ${key}` };
    const a = await fetch(`http://127.0.0.1:${devhubPort}${PATH}`, { headers: auth });
    const b = await fetch(`http://127.0.0.1:${barePort}${PATH}`);
    const [aBody, bBody] = [(await a.json()) as { total: number }, await b.json()];
    if (a.status !== 200 || !isDeepStrictEqual(aBody, bBody)) {
      throw new Error(`the two servers disagree: DevHub ${a.status} ${JSON.stringify(aBody).slice(0, 300)} vs bare ${JSON.stringify(bBody).slice(0, 300)}`);
    }
    const bytes = Buffer.byteLength(JSON.stringify(aBody));
    console.log(`both answer GET ${PATH} with the same ${bytes}-byte body (total ${aBody.total}); DevHub adds ${a.headers.get('x-ratelimit-limit')}/min rate-limit headers`);
    console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION} s each after a ${WARMUP} s warm-up; node ${process.version}, ${cpus().length} CPUs (load generator on the same machine)\n`);

    const results = [
      await drive('DevHub (API key, throttler, validation)', `http://127.0.0.1:${devhubPort}${PATH}`, auth, devhub.pid!),
      await drive('bare node:http + better-sqlite3', `http://127.0.0.1:${barePort}${PATH}`, {}, bare.pid!),
    ];
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`${pad('', 42)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('CPU ms/req', 12)}non-2xx/errors`);
    for (const r of results) {
      console.log(`${pad(r.name, 42)}${pad(r.rps.toFixed(0), 10)}${pad(String(r.p50), 9)}${pad(String(r.p99), 9)}${pad(String(r.max), 9)}${pad(r.cpu === null ? '-' : r.cpu.toFixed(2), 12)}${r.bad}`);
    }
    const ratio = results[0].rps / results[1].rps;
    console.log(`\nDevHub / bare: ${ratio.toFixed(2)}× req/s (goal ≥ 0.50×)${results[0].cpu && results[1].cpu ? `, ${(results[1].cpu / results[0].cpu).toFixed(2)}× by server CPU per request` : ''}`);
    console.log(`DevHub p99 ${results[0].p99} ms (goal < 30 ms); with ${CONNECTIONS} requests always in flight, the mean latency is ${CONNECTIONS} / req/s = ${((CONNECTIONS / results[0].rps) * 1000).toFixed(0)} ms`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
