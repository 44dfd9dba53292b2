/**
 * Contacts bench: a fresh SQLite database in a temp folder, one user with 20,000 contacts and
 * 100,000 interactions, the server in its own process (production mode), and autocannon with 10
 * connections against the contact list, a search and a contact page. Prints figures; asserts nothing.
 *
 *   npm run bench:contacts
 *   npm run bench:contacts -- --duration 20 --connections 10 --contacts 20000 --interactions 100000
 *   npm run bench:contacts -- --dist      (serve dist/src/main.js; run `npm run build` first)
 *   npm run bench:contacts -- --dev       (NODE_ENV=development: templates are not cached)
 *   npm run bench:contacts -- --explain   (also print SQLite's query plans for the list queries)
 *   npm run bench:contacts -- --keep      (keep the temp folder and print its path)
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config.schema';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { arg, mb, out } from '../lib/cli';
import { FormClient } from '../lib/form-client';
import { cpuMsOf, memoryOf } from '../lib/proc';
import { freePort, waitUntilUp } from '../lib/server';
import { ownedMatch } from '../../src/contacts/contacts.repository';
import { ensureUser, generateContacts } from './generate';

const ROOT = join(__dirname, '..', '..');
const EMAIL = 'bench@devhub.local';
const PASSWORD = 'bench-password';

async function logIn(base: string): Promise<string> {
  const client = new FormClient(base);
  const status = await client.submit('/login', '/login', { email: EMAIL, password: PASSWORD });
  if (status !== 303) throw new Error(`log-in answered ${status}`);
  return client.cookie;
}

/** SQLite's plans for the queries the three pages run (as the repository and services write them today). */
async function explain(dataSource: DataSource, userId: string, contactId: string, word: string) {
  const plans: Array<[string, string, unknown[]]> = [
    ['list: page (sort by name)', `SELECT c.id FROM contacts c WHERE c.user_id = ? ORDER BY c.sort_name ASC, c.id ASC LIMIT 25 OFFSET 0`, [userId]],
    ['list: page (sort by last interaction)', `SELECT c.id FROM contacts c WHERE c.user_id = ? ORDER BY c.last_interaction_at DESC NULLS LAST, c.id ASC LIMIT 25 OFFSET 0`, [userId]],
    ['list: tag chips with counts (TagsService.list)', `SELECT t.id, t.name, COUNT(ct.contact_id) FROM tags t LEFT JOIN contact_tags ct ON ct.tag_id = t.id WHERE t.user_id = ? GROUP BY t.id, t.name, t.name_key ORDER BY t.name_key`, [userId]],
    ['search: count (the user\'s part of contacts_search)', `SELECT COUNT(*) FROM contacts_search WHERE contacts_search MATCH ?`, [ownedMatch(userId, [word])]],
    ['search: ranked page', `SELECT rowid FROM contacts_search WHERE contacts_search MATCH ? ORDER BY rank LIMIT 25`, [ownedMatch(userId, [word])]],
    ['contact: timeline', `SELECT * FROM interactions WHERE user_id = ? AND contact_id = ? ORDER BY occurred_at DESC, created_at DESC LIMIT 100`, [userId, contactId]],
    ['contact: timeline count', `SELECT COUNT(*) FROM interactions WHERE user_id = ? AND contact_id = ?`, [userId, contactId]],
    ['contact: open follow-ups', `SELECT * FROM follow_ups WHERE user_id = ? AND contact_id = ? AND status = 'open' ORDER BY due_at ASC LIMIT 50`, [userId, contactId]],
    ['contact: duplicates by e-mail', `SELECT * FROM contacts c WHERE c.user_id = ? AND c.email = ? AND c.id <> ? LIMIT 10`, [userId, 'x@example.com', contactId]],
  ];
  out('\nSQLite query plans');
  for (const [what, sql, params] of plans) {
    const rows: Array<{ detail: string }> = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, params);
    out(`  ${what}`);
    for (const r of rows) out(`    ${r.detail}`);
  }
}

interface Target {
  label: string;
  path: string;
}

async function main() {
  const contacts = arg('contacts', 20_000);
  const interactions = arg('interactions', 100_000);
  const duration = arg('duration', 10);
  const warmup = arg('warmup', 3);
  const connections = arg('connections', 10);
  const word = 'rust';

  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    NODE_ENV: arg('dev') ? 'development' : 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    BASE_URL: base,
    DATABASE_URL: `sqlite:${join(dir, 'devhub.db')}`,
    DATA_DIR: dir,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    JOBS_ENABLED: 'false',
  };
  let server: ChildProcess | undefined;
  try {
    // 1. schema (migrations), the user and the data, in this process
    const t0 = Date.now();
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig(env)), { logger: new JsonLogger('warn') });
    const userId = await ensureUser(ctx, EMAIL, PASSWORD);
    const gen = await generateContacts(ctx.get(DataSource), userId, { contacts, interactions });
    if (arg('explain')) await explain(ctx.get(DataSource), userId, gen.busiestContactId, word);
    await ctx.close();
    out(`Generated ${gen.contacts} contacts, ${gen.interactions} interactions, ${gen.tagLinks} tag links, ${gen.followUps} follow-ups in ${gen.ms} ms`);
    out(`Database: ${mb(statSync(join(dir, 'devhub.db')).size)} (+ WAL); set-up total ${Date.now() - t0} ms`);

    // 2. the server, alone in its own process
    const entry = arg('dist') ? ['dist/src/main.js'] : ['-r', './test/support/swc-register.js', 'src/main.ts'];
    let logs = '';
    server = spawn(process.execPath, entry, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (b) => (logs = (logs + b).slice(-20_000)));
    server.stderr!.on('data', (b) => (logs = (logs + b).slice(-20_000)));
    await waitUntilUp(`${base}/readyz`, server, { what: 'server', ready: (status) => status >= 200 && status < 300, logs: () => logs });
    const cookie = await logIn(base);

    const targets: Target[] = [
      { label: '/contacts', path: '/contacts' },
      { label: `/contacts?q=${word}`, path: `/contacts?q=${word}` },
      { label: '/contacts/:id', path: `/contacts/${gen.busiestContactId}` },
    ];
    for (const t of targets) {
      const res = await fetch(`${base}${t.path}`, { headers: { cookie }, redirect: 'manual' });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${t.path} answered ${res.status}: ${body.slice(0, 300)}`);
      const total = /(\d[\d,]*) (in all|matching)/.exec(body)?.[0];
      out(`${t.label}: ${res.status}, ${(body.length / 1024).toFixed(0)} kB${total ? `, "${total}"` : ''}`);
    }

    out(`\nautocannon: ${connections} connections, ${warmup} s warm-up + ${duration} s per page, server NODE_ENV=${env.NODE_ENV} (${arg('dist') ? 'dist' : 'src via SWC'})`);
    const before = memoryOf(server.pid!);
    out(`server memory before: RSS ${before ? mb(before.rss) : '?'}`);
    out('');
    // server CPU per request does not depend on what else the machine is doing; latency does
    out(`${'page'.padEnd(22)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'CPU ms/req'.padStart(11)} ${'non-2xx'.padStart(8)} ${'errors'.padStart(7)} ${'RSS'.padStart(9)}`);
    for (const t of targets) {
      const opts = { url: `${base}${t.path}`, connections, headers: { cookie } };
      await autocannon({ ...opts, duration: warmup });
      const cpuBefore = cpuMsOf(server.pid!);
      const r = await autocannon({ ...opts, duration });
      const cpuAfter = cpuMsOf(server.pid!);
      const cpuPerReq = cpuBefore !== null && cpuAfter !== null && r.requests.total ? ((cpuAfter - cpuBefore) / r.requests.total).toFixed(2) : '?';
      const mem = memoryOf(server.pid!);
      out(
        `${t.label.padEnd(22)} ${r.requests.average.toFixed(0).padStart(8)} ${String(r.latency.p50).padStart(8)} ${String(r.latency.p90).padStart(8)} ${String(r.latency.p99).padStart(8)} ${String(r.latency.max).padStart(8)} ${cpuPerReq.padStart(11)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(7)} ${(mem ? mb(mem.rss) : '?').padStart(9)}`,
      );
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    out(`\nload average during the run: ${load} on ${cpus().length} CPUs (latency is only comparable between quiet runs)`);
    const after = memoryOf(server.pid!);
    if (after) out(`\nserver memory after: RSS ${mb(after.rss)}, peak ${mb(after.peak)}`);
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    if (arg('keep')) out(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
