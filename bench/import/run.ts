/**
 * Import bench: how long a confirmed contact import takes, and how long it makes every other write
 * of the instance wait (on SQLite all writes queue behind the import's transaction).
 *
 * A fresh SQLite file (or DATABASE_URL's PostgreSQL database), one importing user who already has
 * 500 contacts with 5,000 interactions, and a DevHub CSV of 10,000 rows: ~5 % of them name an existing contact by e-mail
 * (merged), ~30 % carry tags, ~10 % a keep-in-touch cadence. The file goes through upload → preview
 * → confirm as the import page does it. While the confirm runs, the bench watches the event loop's
 * delay (how long any other request could be kept waiting) and a second user logs an interaction
 * every 50 ms through the service (on SQLite those writes queue behind the import's transaction).
 * Last, the importing account is deleted with everything in it, timed and watched the same way.
 *
 *   npm run bench:import
 *   npm run bench:import -- --rows 5000 --existing 500
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, fmt, out } from '../lib/cli';
import { watchEventLoop } from '../lib/event-loop';

async function main() {
  const rows = arg('rows', 10_000);
  const existing = arg('existing', 500);
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-import-'));
  // entity column types follow DATABASE_URL, so it is set before any entity is loaded
  process.env.DATABASE_URL ??= `sqlite:${join(dir, 'bench.db')}`;
  const { NestFactory } = await import('@nestjs/core');
  const { DataSource } = await import('typeorm');
  const { AppModule } = await import('../../src/app.module');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { ImportService } = await import('../../src/import-export/import.service');
  const { DEVHUB_CSV_COLUMNS } = await import('../../src/import-export/export.service');
  const { csvRow } = await import('../../src/import-export/csv');
  const { ContactsService } = await import('../../src/contacts/contacts.service');
  const { InteractionsService } = await import('../../src/contacts/interactions.service');
  const { UsersService } = await import('../../src/auth/users.service');
  const { contactInputFor, PersonGenerator, tagsFor } = await import('../../src/seed/demo-data');
  const { Prng } = await import('../../src/seed/prng');
  const { ensureUser, generateContacts } = await import('../contacts/generate');

  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATA_DIR: dir, DATABASE_URL: process.env.DATABASE_URL, SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), BASE_URL: 'http://127.0.0.1:3000', JOBS_ENABLED: 'false' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new JsonLogger('warn') });
  try {
    const importer = await ensureUser(app, 'importer@devhub.local', 'bench-password', 'Importer');
    // ten interactions each (the generator's most), so the account deletion at the end has a history to remove
    await generateContacts(app.get(DataSource), importer, { contacts: existing, interactions: existing * 10 });
    const pg = config.databaseUrl.startsWith('postgres');
    const known: Array<{ email: string | null }> = await app.get(DataSource).query(`SELECT email FROM contacts WHERE user_id = ${pg ? '$1' : '?'} AND email IS NOT NULL`, [importer]);

    // the CSV: new people (some tagged, some with a cadence) and a few rows naming existing contacts
    const rng = new Prng(7);
    const people = new PersonGenerator(rng);
    const lines = [csvRow([...DEVHUB_CSV_COLUMNS])];
    for (let i = 0; i < rows; i++) {
      const p = people.person(true);
      const input = contactInputFor(rng, p, { keepInTouchDays: rng.chance(0.1) ? 30 : null });
      const match = rng.chance(0.05) ? known[rng.int(0, known.length - 1)] : null;
      const email = match?.email ?? `import-${i}-${input.email ?? 'x@example.com'}`;
      const tags = rng.chance(0.3) ? tagsFor(rng, p).join('; ') : '';
      const row: Record<string, unknown> = { ...input, email, tags, id: '', lastInteractionAt: '', createdAt: '', updatedAt: '' };
      lines.push(csvRow(DEVHUB_CSV_COLUMNS.map((c) => row[c] ?? '')));
    }
    const csv = Buffer.from(lines.join(''));

    const imports = app.get(ImportService);
    let t = Date.now();
    const id = await imports.upload(importer, { originalname: 'contacts.csv', size: csv.length, buffer: csv, mimetype: 'text/csv' });
    const uploadMs = Date.now() - t;
    t = Date.now();
    const preview = await imports.preview(importer, id);
    const previewMs = Date.now() - t;

    // another user's writes while the import runs: the first one starts once the confirm has begun
    const other = await ensureUser(app, 'other@devhub.local', 'bench-password', 'Other');
    const contact = await app.get(ContactsService).create(other, { name: 'Someone' } as never);
    const waits: number[] = [];
    let importing = true;
    const write = async () => {
      while (importing) {
        const s = Date.now();
        await app.get(InteractionsService).create(other, contact.id, { type: 'other', occurredAt: new Date().toISOString(), summary: 'written during the import' }, 'UTC');
        waits.push(Date.now() - s);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    let stalled = watchEventLoop();
    t = Date.now();
    const confirming = imports.confirm(importer, id);
    const writer = write();
    const result = await confirming;
    const confirmMs = Date.now() - t;
    const confirmStall = await stalled();
    importing = false;
    await writer;

    const countOf = async (table: string) => Number((await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ${pg ? '$1' : '?'}`, [importer]))[0].n);
    const after = await countOf('contacts');
    const interactions = await countOf('interactions');
    waits.sort((a, b) => a - b);
    out(`${pg ? 'PostgreSQL' : 'SQLite'}: ${fmt(rows)} CSV rows (${(csv.length / 1024 / 1024).toFixed(1)} MB) into an account with ${fmt(existing)} contacts`);
    out(`preview: ${JSON.stringify(preview.counts)}`);
    out(`upload ${fmt(uploadMs)} ms, preview ${fmt(previewMs)} ms, confirm ${fmt(confirmMs)} ms (${((confirmMs / rows) * 1000).toFixed(0)} µs per row): created ${fmt(result.created)}, updated ${fmt(result.updated)}, skipped ${fmt(result.skipped)}; the account now has ${fmt(after)} contacts`);
    out(`event loop during the confirm: longest stall ${fmt(confirmStall)} ms (how long any other request could be kept waiting)`);
    out(`another user's writes started during the confirm: ${waits.length}, the longest took ${fmt(waits.at(-1) ?? 0)} ms (on SQLite they queue behind the import's transaction)`);

    // and the account goes again, with everything in it
    stalled = watchEventLoop();
    t = Date.now();
    await app.get(UsersService).removeAccount(importer);
    const deleteMs = Date.now() - t;
    out(`account deletion (${fmt(after)} contacts, ${fmt(interactions)} interactions): ${fmt(deleteMs)} ms, longest event-loop stall ${fmt(await stalled())} ms`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
