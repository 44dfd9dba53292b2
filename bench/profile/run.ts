/**
 * `/@username` throughput: DevHub (view counting on) against a bare node:http server rendering the
 * same precompiled template with the same data (bench/profile/bare-server.ts).
 *
 * Starts DevHub from dist/ (NODE_ENV=production, LOG_LEVEL=warn) on a fresh SQLite file, creates an
 * account and a full profile through the real sign-up and editor forms, starts the bare server on
 * the same file, checks both serve the same HTML, then drives each with autocannon: 50 connections,
 * 3 alternating rounds of 10 s each after a 3 s warm-up (median round). Every DevHub request carries a different browser user agent, so every
 * one is a new visitor that the view counter buffers and writes (the worst case for counting).
 * Prints req/s, p50/p99 and the ratio, and how many views were recorded; asserts nothing.
 * Goal: DevHub ≥ 0.5× the bare server.
 *
 *   npm run bench:profile                 (builds first)
 *   BENCH_DURATION=20 BENCH_CONNECTIONS=100 npm run bench:profile
 *   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:profile   (CPU profile of DevHub)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { FormClient } from '../lib/form-client';
import { freePort, productionEnv, waitUntilUp } from '../lib/server';

const ROOT = resolve(__dirname, '..', '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const USERNAME = 'ada-bench';

const BROWSER_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let visitor = 0;

function options(url: string, uniqueVisitors: boolean) {
  return {
    url,
    connections: CONNECTIONS,
    headers: { 'user-agent': BROWSER_UA, referer: 'https://news.ycombinator.com/item?id=1' },
    // a different user agent per request: every request is a new visitor, so every one is counted
    ...(uniqueVisitors ? { requests: [{ setupRequest: (req: { headers: Record<string, string> }) => ({ ...req, headers: { ...req.headers, 'user-agent': `${BROWSER_UA} bench/${visitor++}` } }) }] } : {}),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Warms both servers up, then measures them in alternating rounds (DevHub, bare, DevHub, bare …)
 * so that a busy neighbour on the machine hits both alike; reports the median round of each.
 */
async function compare(targets: Array<{ name: string; url: string }>) {
  for (const t of targets) await autocannon({ ...options(t.url, true), duration: WARMUP });
  const rounds = targets.map(() => [] as autocannon.Result[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < targets.length; i++) rounds[i]!.push(await autocannon({ ...options(targets[i]!.url, true), duration: DURATION }));
  }
  return targets.map((t, i) => {
    const rs = rounds[i]!;
    return {
      name: t.name,
      rps: median(rs.map((r) => r.requests.average)),
      p50: median(rs.map((r) => r.latency.p50)),
      p99: median(rs.map((r) => r.latency.p99)),
      max: Math.max(...rs.map((r) => r.latency.max)),
      total: rs.reduce((sum, r) => sum + r.requests.total, 0),
      bad: rs.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
      each: rs.map((r) => r.requests.average.toFixed(0)).join(' / '),
    };
  });
}

const SITEMAP_PROFILES = Number(process.env.BENCH_SITEMAP_PROFILES ?? 100_000);

/**
 * /sitemap.xml with 100,000 public profiles: inserts them straight into the database DevHub is
 * serving, then times the sitemap index and each 50,000-URL file (streamed, keyset-paged).
 */
async function sitemapAtScale(dbFile: string, baseUrl: string) {
  const started = Date.now();
  const db = new Database(dbFile);
  db.pragma('busy_timeout = 5000');
  const user = db.prepare(`INSERT INTO users (id, email, name) VALUES (?, ?, ?)`);
  const profile = db.prepare(`INSERT INTO public_profiles (id, user_id, username, slug, is_public, display_name) VALUES (?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < SITEMAP_PROFILES; i++) {
      const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const pid = `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
      const name = `dev-${String(i).padStart(6, '0')}`;
      user.run(uid, `${name}@bench.local`, `Dev ${i}`);
      // one in ten private, so the sitemap has to leave them out
      profile.run(pid, uid, name, name, i % 10 === 9 ? 0 : 1, `Dev ${i}`);
    }
  })();
  const { n: publicCount } = db.prepare('SELECT COUNT(*) AS n FROM public_profiles WHERE is_public = 1').get() as { n: number };
  db.close();
  console.log(`\nsitemap with ${SITEMAP_PROFILES.toLocaleString('en')} more profiles (${publicCount.toLocaleString('en')} public), inserted in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  const timed = async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(baseUrl + path);
    const body = await res.text();
    const ms = performance.now() - t0;
    const urls = (body.match(/<url>/g) ?? []).length;
    const maps = (body.match(/<sitemap>/g) ?? []).length;
    console.log(`  GET ${path.padEnd(26)} ${res.status}  ${ms.toFixed(0).padStart(5)} ms  ${(Buffer.byteLength(body) / 1e6).toFixed(2)} MB  ${urls ? `${urls.toLocaleString('en')} URLs` : `${maps} sitemap files`}`);
    return body;
  };
  const index = await timed('/sitemap.xml');
  for (const loc of [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname)) await timed(loc);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-profile-'));
  const dbFile = join(dir, 'bench.db');
  const children: ChildProcess[] = [];
  try {
    const devhubPort = await freePort();
    const barePort = await freePort();
    const baseUrl = `http://127.0.0.1:${devhubPort}`;
    const env = productionEnv(dir, dbFile, baseUrl, { PORT: String(devhubPort), HOST: '127.0.0.1' });

    // BENCH_NODE_ARGS=--cpu-prof profiles DevHub during the run
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const devhub = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'src', 'main.js')], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(devhub);
    await waitUntilUp(`${baseUrl}/readyz`, devhub, { what: 'DevHub' });

    const owner = new FormClient(baseUrl);
    await owner.submit('/signup', '/signup', { name: 'Ada Lovelace', email: 'ada@bench.local', password: 'bench-password' });
    const saved = await owner.submit('/settings/profile', '/settings/profile', {
      username: USERNAME,
      isPublic: 'on',
      displayName: 'Ada Lovelace',
      headline: 'Staff engineer at Analytical Engines · compilers, Rust, Postgres',
      bio: 'I write **compilers** and _tools_ for people who ship.\n\nCurrently: query planner work at [Analytical](https://analytical.dev).\n- Talks: https://ada.dev/talks\n- Office hours on Fridays',
      bioFormat: 'markdown',
      location: 'London, UK',
      website: 'https://ada.dev',
      avatarUrl: 'https://avatars.githubusercontent.com/u/1?v=4',
      'links[github]': 'ada-lovelace',
      'links[twitter]': '@ada',
      'links[linkedin]': 'https://www.linkedin.com/in/ada-lovelace',
      'links[mastodon]': '@ada@hachyderm.io',
      'links[bluesky]': 'ada.bsky.social',
      'links[other]': 'https://blog.ada.dev/notes',
    });
    if (saved !== 303) throw new Error(`saving the profile answered ${saved}`);

    const bare = spawn(process.execPath, ['-r', join(ROOT, 'test', 'support', 'swc-register.js'), join(__dirname, 'bare-server.ts')], {
      cwd: ROOT,
      env: { PATH: env.PATH, NODE_ENV: 'production', BENCH_DB: dbFile, BENCH_USERNAME: USERNAME, BASE_URL: baseUrl, PORT: String(barePort) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(bare);
    await waitUntilUp(`http://127.0.0.1:${barePort}/@${USERNAME}`, bare, { what: 'the bare server' });

    const path = `/@${USERNAME}`;
    const [a, b] = await Promise.all([fetch(baseUrl + path).then((r) => r.text()), fetch(`http://127.0.0.1:${barePort}${path}`).then((r) => r.text())]);
    if (a !== b) throw new Error(`the two servers disagree on ${path}:\n${a.slice(0, 400)}\n---\n${b.slice(0, 400)}`);
    console.log(`both serve the same ${Buffer.byteLength(a)}-byte page at ${path}`);
    console.log(
      `autocannon: ${CONNECTIONS} connections; ${ROUNDS} alternating rounds of ${DURATION} s per server after a ${WARMUP} s warm-up (median round shown); ` +
        `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} (load generator on the same machine)`,
    );
    console.log('every request has its own user agent: each one is a new visitor that DevHub counts and writes\n');

    const results = await compare([
      { name: 'DevHub /@username (view counting on)', url: baseUrl + path },
      { name: 'bare node:http, same template + data', url: `http://127.0.0.1:${barePort}${path}` },
    ]);

    // let the view buffer drain, then read the counter DevHub kept
    await new Promise((r) => setTimeout(r, 3000));
    const db = new Database(dbFile, { readonly: true });
    const { view_count: counted } = db.prepare('SELECT view_count FROM public_profiles WHERE username = ?').get(USERNAME) as { view_count: number };
    const { n: rows } = db.prepare('SELECT COUNT(*) AS n FROM profile_views').get() as { n: number };
    db.close();

    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`${pad('', 40)}${pad('req/s', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('max ms', 8)}${pad('errors', 8)}rounds (req/s)`);
    for (const r of results) console.log(`${pad(r.name, 40)}${pad(r.rps.toFixed(0), 9)}${pad(String(r.p50), 8)}${pad(String(r.p99), 8)}${pad(String(r.max), 8)}${pad(String(r.bad), 8)}${r.each}`);
    const ratio = results[0]!.rps / results[1]!.rps;
    console.log(`\nDevHub / bare: ${ratio.toFixed(2)}× (goal ≥ 0.50×)`);
    console.log(`views DevHub counted and wrote (warm-up included): ${counted}; profile_views rows: ${rows}; DevHub requests measured: ${results[0]!.total}`);
    console.log('DevHub renders an anonymous page once per profile version (cleared on every change, 2 s lookup TTL) and serves those bytes; the bare server renders on every request.');

    await sitemapAtScale(dbFile, baseUrl);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
