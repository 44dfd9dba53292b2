/**
 * Webhooks bench: a fresh SQLite database in a temp folder, the app in this process (jobs off), one
 * user with 3 endpoints on a local receiver (a worker thread: one node:http server, one path per
 * endpoint, every request verified with the standardwebhooks package), 10,000 contact.created
 * events written straight into the outbox, then one timed `WebhookDispatcher.drain()`.
 * Prints deliveries per second, how many arrived, duplicates (same webhook-id on the same endpoint),
 * bad signatures and memory. Asserts nothing.
 *
 *   npm run bench:webhooks
 *   npm run bench:webhooks -- --events 10000 --endpoints 3
 *   npm run bench:webhooks -- --keep            (keep the temp folder and print its path)
 *   BENCH_DATABASE_URL=postgres://… npm run bench:webhooks   (an existing, empty PostgreSQL database)
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DataSource as DataSourceType } from 'typeorm';
import { arg, fmt, mb, out } from '../lib/cli';
import { memoryOf } from '../lib/proc';

interface ReceiverReport {
  requests: number;
  unique: number;
  duplicates: number;
  badSignatures: number;
  firstAt: number;
  lastAt: number;
}

function startReceiver() {
  const worker = new Worker(join(__dirname, 'receiver-worker.js'), { workerData: { status: 204 } });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (msg: Record<string, unknown>) => {
        if (msg.type !== type) return;
        worker.off('message', onMessage);
        resolve(msg);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  return {
    listening: next('listening').then((m) => m.port as number),
    async setSecrets(secrets: Record<string, string>) {
      const ready = next('ready');
      worker.postMessage({ type: 'secrets', secrets });
      await ready;
    },
    async report(): Promise<ReceiverReport> {
      const r = next('report');
      worker.postMessage({ type: 'report' });
      return (await r) as unknown as ReceiverReport;
    },
    async close() {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage({ type: 'close' });
      await exited;
    },
  };
}

/** A contact as the API shows it: the body of a realistic contact.created event. */
function contactPayload(i: number) {
  const first = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Radia', 'Guido', 'Frances'][i % 10];
  const last = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Perlman', 'van Rossum', 'Allen'][Math.floor(i / 10) % 10];
  const handle = `${first}${last}${i}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    id: randomUUID(),
    name: `${first} ${last}`,
    email: `${handle}@mail.example`,
    phone: i % 3 === 0 ? `+44 20 7946 ${String(i % 10000).padStart(4, '0')}` : null,
    company: ['Vercel', 'Supabase', 'Fly.io', 'Tailscale', 'Oxide', null][i % 6],
    title: ['Staff Engineer', 'CTO', 'Developer Advocate', 'Founder', 'SRE'][i % 5],
    location: ['London', 'Berlin', 'Lisbon', 'Toronto', 'Nairobi', 'Tokyo'][i % 6],
    githubUsername: i % 8 === 0 ? null : handle,
    twitter: i % 5 === 0 ? handle.slice(0, 15) : null,
    linkedin: null,
    website: i % 4 === 0 ? `https://${handle}.dev` : null,
    notes: i % 2 === 0 ? 'Met at a meetup; talked about build tooling and incremental compilation.' : null,
    isVip: i % 17 === 0,
    keepInTouchDays: i % 4 === 0 ? 30 : null,
    lastInteractionAt: null,
    tags: i % 3 === 0 ? [{ id: randomUUID(), name: 'rust' }] : [],
    createdAt: at,
    updatedAt: at,
  };
}

async function main() {
  const events = arg('events', 10_000);
  const endpointCount = arg('endpoints', 3);
  const keep = arg('keep');
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-webhooks-'));
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'devhub.db')}`;
  // entities pick their column types from DATABASE_URL when they load: set it first, then load the app
  process.env.DATABASE_URL = databaseUrl;
  const { DataSource } = await import('typeorm');
  const { createApp } = await import('../../src/app.setup');
  const { UsersService } = await import('../../src/auth/users.service');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { OutboxEvent } = await import('../../src/outbox/outbox-event.entity');
  const { WebhookDispatcher } = await import('../../src/webhooks/webhook-dispatcher.service');
  const { WebhooksService } = await import('../../src/webhooks/webhooks.service');
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    BASE_URL: 'http://127.0.0.1:3999',
    SESSION_SECRET: randomBytes(32).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    JOBS_ENABLED: 'false',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });

  const receiver = startReceiver();
  const port = await receiver.listening;
  const app = await createApp(config, new JsonLogger('error'));
  await app.init();
  try {
    const user = await app.get(UsersService).create({ name: 'Bench User', email: 'bench-webhooks@devhub.local', password: 'bench-password' });
    const secrets: Record<string, string> = {};
    for (let i = 0; i < endpointCount; i++) {
      const { secret } = await app.get(WebhooksService).create(user.id, { url: `http://127.0.0.1:${port}/ep${i}`, description: `bench ${i}`, events: ['contact.*'] });
      secrets[`/ep${i}`] = secret;
    }
    await receiver.setSecrets(secrets);

    const ds: DataSourceType = app.get(DataSource);
    const t0 = Date.now();
    const rows = Array.from({ length: events }, (_, i) => ({ id: randomUUID(), userId: user.id, type: 'contact.created', payload: JSON.stringify(contactPayload(i)), dispatchedAt: null }));
    for (let i = 0; i < rows.length; i += 500) await ds.createQueryBuilder().insert().into(OutboxEvent).values(rows.slice(i, i + 500)).execute();
    out(`webhooks bench: ${fmt(events)} contact.created events × ${endpointCount} endpoints on ${databaseUrl.split(':')[0]} (outbox written in ${Date.now() - t0} ms)`);

    const heapBefore = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await app.get(WebhookDispatcher).drain();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const report = await receiver.report();
    const mem = process.memoryUsage();

    const [{ n: attempts }] = await ds.query('SELECT COUNT(*) AS n FROM webhook_attempts');
    const byStatus: { status: string; n: string }[] = await ds.query('SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status ORDER BY status');
    const expected = events * endpointCount;
    out();
    out(`  drain                ${seconds.toFixed(2)} s`);
    out(`  deliveries per s     ${fmt(Math.round(report.unique / seconds))}   (goal ≥ 500)`);
    out(`  arrived              ${fmt(report.unique)} of ${fmt(expected)} unique (endpoint, webhook-id)${report.unique === expected ? '' : '   ← MISSING'}`);
    out(`  requests             ${fmt(report.requests)}   duplicates ${fmt(report.duplicates)}   bad signatures ${fmt(report.badSignatures)}`);
    out(`  attempts logged      ${fmt(Number(attempts))}   deliveries ${byStatus.map((r) => `${r.status} ${fmt(Number(r.n))}`).join(', ')}`);
    out(`  cpu                  ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)}, system ${(cpu.system / 1e6).toFixed(1)}; app and receiver threads) in ${seconds.toFixed(1)} s`);
    out(`  memory               rss ${mb(mem.rss)} (peak ${mb(memoryOf(process.pid)?.peak ?? 0)}), heap ${mb(mem.heapUsed)} (${mem.heapUsed >= heapBefore ? '+' : ''}${mb(mem.heapUsed - heapBefore)} during drain)`);
  } finally {
    await app.close();
    await receiver.close();
    if (keep) out(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
