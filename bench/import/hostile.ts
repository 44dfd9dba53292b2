/**
 * Hostile-upload bench: the worst event-loop stall (how long /healthz or any other request would
 * wait) while a hostile 5 MB CSV with ~600,000 header columns is uploaded and its preview shown
 * three times, and the same for a large valid file (10,000 rows, ~4 MB). Prints figures, asserts nothing.
 *
 *   npm run bench:import-hostile
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, out } from '../lib/cli';
import { watchEventLoop } from '../lib/event-loop';
import { hostileCsv, largeCsv } from './hostile-files';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'devhub-bench-hostile-'));
  process.env.DATABASE_URL ??= `sqlite:${join(dir, 'bench.db')}`;
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../../src/app.module');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const { ImportService } = await import('../../src/import-export/import.service');
  const { UsersService } = await import('../../src/auth/users.service');
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'error', DATA_DIR: dir, DATABASE_URL: process.env.DATABASE_URL, SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), BASE_URL: 'http://127.0.0.1:3000', JOBS_ENABLED: 'false' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new JsonLogger('error') });
  try {
    const user = await app.get(UsersService).create({ email: 'hostile@devhub.local', name: 'Hostile', password: 'bench-password' });
    const imports = app.get(ImportService);
    for (const [label, file] of [['hostile 600,000-column CSV', hostileCsv()], ['valid 10,000-row CSV', largeCsv()]] as const) {
      const rss = process.memoryUsage().rss;
      let stalled = watchEventLoop();
      let t = Date.now();
      let id: string | null = null;
      let outcome = 'accepted';
      try {
        id = await imports.upload(user.id, { originalname: 'contacts.csv', mimetype: 'text/csv', size: file.length, buffer: file });
      } catch (err) {
        outcome = `refused (${(err as Error).message.slice(0, 60)}…)`;
      }
      const uploadMs = Date.now() - t;
      const uploadStall = await stalled();
      const grew = Math.round((process.memoryUsage().rss - rss) / 1024 / 1024);
      out(`${label} (${fmt(Math.round(file.length / 1024))} KB): upload ${outcome} in ${fmt(uploadMs)} ms; worst event-loop stall ${fmt(uploadStall)} ms; RSS +${grew} MB`);
      if (!id) continue;
      stalled = watchEventLoop();
      t = Date.now();
      for (let i = 0; i < 3; i++) await imports.preview(user.id, id);
      out(`  its preview shown 3 times: ${fmt(Date.now() - t)} ms; worst event-loop stall ${fmt(await stalled())} ms`);
      await imports.cancel(user.id, id);
    }
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
