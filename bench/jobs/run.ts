/**
 * Jobs bench: 50,000 follow-ups falling due within one minute across 5,000 users (10 each), on a
 * fresh SQLite database, the app in this process (jobs engine driven directly). Times one
 * send-notifications run until every follow-up is announced, checks each was announced once, and
 * meanwhile a signed-in client GETs /contacts in a loop (its p50/p99 while the job runs). Prints
 * memory. Asserts nothing. The BullMQ variant (instance + two workers) is not implemented yet.
 *
 *   npm run bench:jobs
 *   npm run bench:jobs -- --users 5000 --per-user 10
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, fmt, mb, out } from '../lib/cli';
import { FormClient } from '../lib/form-client';

async function main() {
  const users = arg('users', 5000);
  const perUser = arg('per-user', 10);
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-jobs-'));
  process.env.DATABASE_URL = `sqlite:${join(dir, 'devhub.db')}`;
  const { loadConfig } = await import('../../src/config/config.schema');
  const { createApp } = await import('../../src/app.setup');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { DueFollowUpsJob } = await import('../../src/notifications/due-follow-ups.job');
  const { DataSource } = await import('typeorm');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATA_DIR: dir,
    DATABASE_URL: process.env.DATABASE_URL,
    JOBS_ENABLED: 'false',
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const app = await createApp(config, new JsonLogger('error'));
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const ds = app.get(DataSource);
  const client = new FormClient(base);
  await client.submit('/signup', '/signup', { name: 'Bench Reader', email: 'reader@example.com', password: 'correct horse battery' });

  const now = new Date();
  const seedStart = Date.now();
  const stamp = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  for (let u = 0; u < users; u += 500) {
    await ds.transaction(async (m) => {
      for (let i = u; i < Math.min(users, u + 500); i++) {
        const userId = randomUUID();
        await m.query(`INSERT INTO users (id, email, name, is_admin, plan, timezone, created_at, updated_at) VALUES (?, ?, ?, 0, 'free', 'Europe/Berlin', ?, ?)`, [
          userId,
          `bench-${i}@example.com`,
          `Bench ${i}`,
          stamp(now),
          stamp(now),
        ]);
        for (let k = 0; k < perUser; k++) {
          const contactId = randomUUID();
          await m.query(`INSERT INTO contacts (id, user_id, name, sort_name, search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
            contactId,
            userId,
            `Contact ${i}-${k}`,
            `contact ${i}-${k}`,
            `contact ${i}-${k}`,
            stamp(now),
            stamp(now),
          ]);
          // due within the minute before the run
          await m.query(`INSERT INTO follow_ups (id, user_id, contact_id, due_at, note, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'ping', 'open', ?, ?)`, [
            randomUUID(),
            userId,
            contactId,
            stamp(new Date(now.getTime() - Math.floor(Math.random() * 60_000))),
            stamp(now),
            stamp(now),
          ]);
        }
      }
    });
  }
  out(`seeded ${fmt(users)} users, ${fmt(users * perUser)} due follow-ups in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  let running = true;
  let failures = 0;
  const latencies: number[] = [];
  const reader = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await client.get('/contacts');
        latencies.push(performance.now() - t0);
      } catch {
        // a keep-alive socket closed under us: count it and go on
        failures++;
      }
    }
  })();
  const rssBefore = process.memoryUsage().rss;
  const t0 = Date.now();
  const counts = await app.get(DueFollowUpsJob).run(new Date(now.getTime() + 1000));
  const elapsed = Date.now() - t0;
  const rssAfter = process.memoryUsage().rss;
  running = false;
  await reader;
  const [{ n: notified }] = await ds.query(`SELECT COUNT(*) AS n FROM follow_ups WHERE due_notified_at IS NOT NULL`);
  const [{ n: events }] = await ds.query(`SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'followup.due'`);
  const [{ n: dupes }] = await ds.query(`SELECT COUNT(*) AS n FROM (SELECT payload FROM outbox_events WHERE type = 'followup.due' GROUP BY payload HAVING COUNT(*) > 1)`);
  const [{ n: notes }] = await ds.query(`SELECT COUNT(*) AS n FROM notifications`);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1) : 'n/a');
  out(`one instance (in-process engine, SQLite): ${fmt(Number(notified))} follow-ups announced in ${(elapsed / 1000).toFixed(2)} s (${fmt(Math.round(Number(notified) / (elapsed / 1000)))}/s)`);
  out(`  followup.due events ${fmt(Number(events))}, duplicates ${dupes}, in-app notifications ${fmt(Number(notes))}, run counts ${JSON.stringify(counts)}`);
  out(`  memory: rss ${mb(rssBefore)} before, ${mb(rssAfter)} after; heap used ${mb(process.memoryUsage().heapUsed)}`);
  out(`  GET /contacts while it ran: ${latencies.length} requests (${failures} connection resets), p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
