/**
 * GitHub sync bench: 100 users × 100 contacts (each user connected with their own token, premium, so
 * every contact is due each pass) synced three times over a simulated day (00:00, 08:00, 16:00),
 * against a fake GitHub in another process that answers in 50 ms and changes a realistic share of
 * accounts between passes (a quarter push, 15 % get stars, 10 % gain followers, 2 % release, 1 %
 * create a repository). The sync runs as the scheduled job does (`runScheduled`), in this process,
 * which is also where pages would be served: the bench watches this process's event loop.
 *
 * Prints per pass: contacts refreshed, GitHub requests, rate-limit points per contact refresh (a
 * naive client spends 5: one per read, never conditional), 304s, insights, wall time; and the peak
 * RSS and the worst event-loop stall.
 *
 *   npm run bench:github
 *   npm run bench:github -- --users 20 --contacts 50
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, fmt, mb, out } from '../lib/cli';
import { watchEventLoop } from '../lib/event-loop';

const HOUR = 3_600_000;

async function main() {
  const users = arg('users', 100);
  const perUser = arg('contacts', 100);
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-github-'));
  process.env.DATABASE_URL ??= `sqlite:${join(dir, 'bench.db')}`;

  const child = fork(join(__dirname, 'fake-server.ts'), [], { execArgv: ['-r', join(__dirname, '..', '..', 'test', 'support', 'swc-register.js')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map<number, (v: unknown) => void>();
  const ready = new Promise<void>((resolve) => pending.set(0, () => resolve()));
  child.on('message', (m: { id: number; value: unknown }) => {
    pending.get(m.id)?.(m.value);
    pending.delete(m.id);
  });
  const call = <T>(msg: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (v: unknown) => void);
      child.send({ id, ...msg });
    });
  await ready;
  const world = await call<{ apiUrl: string; users: Array<{ login: string; token: string; contacts: string[] }> }>({ cmd: 'setup', users, contacts: perUser });

  const { NestFactory } = await import('@nestjs/core');
  const { DataSource } = await import('typeorm');
  const { AppModule } = await import('../../src/app.module');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { Clock } = await import('../../src/common/clock');
  const { GithubSyncService } = await import('../../src/github/github-sync.service');
  const { GithubTokensService } = await import('../../src/auth/github-tokens.service');
  const { ensureUser } = await import('../contacts/generate');
  const { ContactsService } = await import('../../src/contacts/contacts.service');

  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dir,
    DATABASE_URL: process.env.DATABASE_URL,
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    BASE_URL: 'http://127.0.0.1:3000',
    JOBS_ENABLED: 'false',
    GITHUB_API_URL: world.apiUrl,
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new JsonLogger('warn') });
  let simNow = Date.parse('2026-06-01T00:00:00Z');
  app.get(Clock).now = () => new Date(simNow);
  await call({ cmd: 'clock', now: simNow });
  const pg = config.databaseUrl.startsWith('postgres');
  const ds = app.get(DataSource);
  try {
    out(`Setting up ${fmt(users)} users × ${fmt(perUser)} contacts…`);
    for (const u of world.users) {
      const id = await ensureUser(app, `${u.login}@devhub.local`, 'bench-password', u.login);
      await ds.query(`UPDATE users SET plan = 'premium', github_login = ${pg ? '$1' : '?'} WHERE id = ${pg ? '$2' : '?'}`, [u.login, id]);
      await app.get(GithubTokensService).replace(id, { accessToken: u.token, refreshToken: null, expiresAt: null });
      const contacts = app.get(ContactsService);
      for (const login of u.contacts) await contacts.create(id, { name: `Contact ${login}`, githubUsername: login } as never);
    }
    const sync = app.get(GithubSyncService);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    out('');
    out('pass   time   contacts   requests   points   points/contact   304s   insights   wall      stall');
    const rows: Array<{ perContact: number }> = [];
    for (let pass = 1; pass <= 3; pass++) {
      if (pass > 1) {
        simNow += 8 * HOUR;
        await call({ cmd: 'mutate', pass, now: simNow });
      }
      const before = await call<{ total: number; points: number; notModified: number }>({ cmd: 'stats' });
      const stalled = watchEventLoop();
      const t = Date.now();
      const counts = await sync.runScheduled();
      const wall = Date.now() - t;
      const stall = await stalled();
      const after = await call<{ total: number; points: number; notModified: number }>({ cmd: 'stats' });
      const points = after.points - before.points;
      const perContact = counts.contacts ? points / counts.contacts : 0;
      rows.push({ perContact });
      out(
        `${String(pass).padEnd(6)} ${new Date(simNow).toISOString().slice(11, 16)}  ${fmt(counts.contacts).padStart(8)}   ${fmt(after.total - before.total).padStart(8)}   ${fmt(points).padStart(6)}   ${perContact.toFixed(2).padStart(14)}   ${fmt(after.notModified - before.notModified).padStart(5)}   ${fmt(counts.insights).padStart(8)}   ${(wall / 1000).toFixed(1).padStart(5)} s   ${String(stall).padStart(4)} ms`,
      );
    }
    clearInterval(sampler);
    out('');
    out(`rate-limit points per contact refresh: first pass ${rows[0]!.perContact.toFixed(2)}, steady state ${(((rows[1]?.perContact ?? 0) + (rows[2]?.perContact ?? 0)) / 2).toFixed(2)} (goal ≤ 0.5; a naive client spends 5)`);
    out(`peak RSS of the DevHub process: ${mb(peak)}`);
    out('(points include each user\'s own events feed, read once a pass for GitHub conversations)');
  } finally {
    await app.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
