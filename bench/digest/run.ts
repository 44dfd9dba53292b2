/**
 * Digest bench: one run-daily-agent pass over many users, in the process that would also serve the
 * web pages, watched for wall time, peak memory (RSS) and the longest event-loop stall.
 *
 * 1. rules only (no model configured);
 * 2. with a fake OpenAI-compatible model (its own process, answering after --delay ms) at
 *    OPENAI_CONCURRENCY (--concurrency, default 4);
 * and the prompt size per digest in tokens (median, max; estimated at ~4 characters a token).
 *
 * The size is 10,000 users × 200 contacts; the default here is smaller for a shared
 * 2-core machine, and the figures are extrapolated linearly to 10,000 users.
 *
 *   npm run bench:digest
 *   npm run bench:digest -- --users 10000 --contacts 200
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, fmt, mb, out } from '../lib/cli';
import { watchEventLoop } from '../lib/event-loop';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'America/Sao_Paulo'];
// 20:00 UTC: past 07:00 in each of those zones
const NOW = new Date('2026-12-04T20:00:00Z');

async function main() {
  const users = arg('users', 400);
  const contacts = arg('contacts', 200);
  const delay = arg('delay', 500);
  const concurrency = arg('concurrency', 4);
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-digest-'));
  process.env.DATABASE_URL ??= `sqlite:${join(dir, 'bench.db')}`;
  const { NestFactory } = await import('@nestjs/core');
  const { DataSource } = await import('typeorm');
  const { AppModule } = await import('../../src/app.module');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { Clock } = await import('../../src/common/clock');
  const { DigestService } = await import('../../src/agent/digest.service');
  const { generateContacts } = await import('../contacts/generate');

  const baseEnv = { NODE_ENV: 'production', LOG_LEVEL: 'error', DATA_DIR: dir, DATABASE_URL: process.env.DATABASE_URL, SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), BASE_URL: 'http://127.0.0.1:3000', JOBS_ENABLED: 'false' };
  const boot = async (env: Record<string, string | undefined>) => {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig({ ...baseEnv, ...env })), { logger: new JsonLogger('error') });
    app.get(Clock).now = () => new Date(NOW);
    return app;
  };

  out(`digest bench: ${fmt(users)} users × ${fmt(contacts)} contacts on ${process.env.DATABASE_URL!.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}`);
  let app = await boot({});
  const ds = app.get(DataSource);
  const pg = ds.options.type === 'postgres';
  const started = Date.now();
  for (let i = 0; i < users; i++) {
    const id = randomUUID();
    await ds.query(`INSERT INTO users (id, email, name, password_hash, plan, timezone) VALUES (${pg ? '$1, $2, $3, $4, $5, $6' : '?, ?, ?, ?, ?, ?'})`, [
      id,
      `bench-${i}@devhub.local`,
      `Bench User ${i}`,
      'x',
      i % 10 === 0 ? 'pro' : 'free',
      ZONES[i % ZONES.length],
    ]);
    await generateContacts(ds, id, { contacts, interactions: Math.round(contacts * 1.5), seed: i + 1, now: NOW });
  }
  out(`generated in ${fmt(Date.now() - started)} ms`);

  const pass = async (label: string, digest: InstanceType<typeof DigestService>, ds: InstanceType<typeof DataSource>) => {
    // warm-up outside the measurement: one digest built and removed (first-call compilation, prepared statements)
    const [first] = await ds.query('SELECT id FROM users ORDER BY id LIMIT 1');
    await digest.buildForUserId(first.id, NOW);
    await ds.query(`DELETE FROM agent_reports WHERE user_id = ${pg ? '$1' : '?'}`, [first.id]);
    await ds.query('DELETE FROM agent_model_cache');
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const stall = watchEventLoop();
    const t0 = performance.now();
    const counts = await digest.runDaily(NOW);
    const ms = performance.now() - t0;
    const worst = await stall();
    clearInterval(sampler);
    out(`${label}: ${fmt(counts.built)} digests (${counts.failed} failed) in ${fmt(Math.round(ms))} ms (${(ms / Math.max(1, counts.built)).toFixed(1)} ms each); peak RSS ${mb(peak)}; worst event-loop stall ${worst} ms`);
    out(`  at 10,000 users: ~${fmt(Math.round((ms / Math.max(1, counts.built)) * 10_000 / 1000))} s`);
    return ms;
  };

  await pass('rules', app.get(DigestService), ds);
  await app.close();

  await ds.isInitialized;
  const fake = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'bench/digest/fake-model.ts'], { env: { ...process.env, FAKE_MODEL_DELAY_MS: String(delay) }, stdio: ['pipe', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve) => fake.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())));
  try {
    app = await boot({ OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'bench', OPENAI_CONCURRENCY: String(concurrency), OPENAI_TIMEOUT: '30s' });
    const ds2 = app.get(DataSource);
    await ds2.query('DELETE FROM agent_reports');
    await ds2.query('DELETE FROM agent_model_cache');
    await pass(`model (fake, ${delay} ms an answer, ${concurrency} in flight)`, app.get(DigestService), ds2);
    const rows: Array<{ engine: string; prompt_tokens: number }> = await ds2.query('SELECT engine, prompt_tokens FROM agent_reports');
    const tokens = rows.filter((r) => r.engine === 'model').map((r) => Number(r.prompt_tokens)).sort((a, b) => a - b);
    const median = tokens.length ? tokens[Math.floor(tokens.length / 2)]! : 0;
    out(`prompt tokens per digest: median ${fmt(median)}, max ${fmt(tokens.at(-1) ?? 0)} (${fmt(tokens.length)} model digests; ${rows.length - tokens.length} by the rules)`);
    out(`  a lower bound for 10,000 users at ${concurrency} in flight and ${delay} ms each: ${fmt(Math.round((10_000 * delay) / concurrency / 1000))} s`);
    await app.close();
  } finally {
    fake.stdin.end();
    fake.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
