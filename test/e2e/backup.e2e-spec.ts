import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BackupService } from '../../src/backup/backup.service';
import { BackupError, backupDatabase, restoreDatabase, sqlitePath } from '../../src/backup/database-backup';
import { Clock } from '../../src/common/clock';
import { User } from '../../src/auth/user.entity';
import { Contact } from '../../src/contacts/contact.entity';
import { ContactsService } from '../../src/contacts/contacts.service';
import { JobsService } from '../../src/jobs/jobs.service';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { createTestDatabase, PG_ADMIN_URL, signUp, startTestApp, submitForm, TestApp, TestDatabase } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');
const PASSWORD = 'correct horse battery';

function runCli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/backup/backup-cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('backup and restore', () => {
  let t: TestApp;
  let dir: string;
  const extra: Array<TestApp | TestDatabase> = [];
  let email: string;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'devhub-backup-'));
    email = `backup-${Date.now()}@example.com`;
    await signUp(t.agent(), { email, password: PASSWORD });
    userId = (await t.dataSource.getRepository(User).findOneByOrFail({ email })).id;
  });

  afterAll(async () => {
    for (const x of extra.reverse()) await x.drop();
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the database while it is written to; the restore holds every row committed before, passes its integrity check and serves', async () => {
    const contacts = t.app.get(ContactsService);
    const committed: string[] = [];
    let stop = false;
    // a writer that keeps committing contacts, one transaction each, for the whole backup
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `Load ${String(i).padStart(5, '0')}`;
        await contacts.create(userId, { name } as Parameters<ContactsService['create']>[1]);
        committed.push(name);
        // as requests do: on SQLite a write can finish without the event loop turning
        await new Promise((r) => setImmediate(r));
      }
    })();
    const file = join(dir, 'under-load.backup');
    // wait until the writer is well under way (polled, no fixed sleep)
    while (committed.length < 50) await new Promise((r) => setImmediate(r));
    const before = [...committed];
    const result = await backupDatabase(t.db.url, file);
    stop = true;
    await writer;
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.engine).toBe(PG_ADMIN_URL ? 'postgres' : 'sqlite');

    const fresh = await createTestDatabase();
    extra.push(fresh);
    await restoreDatabase(fresh.url, file);
    if (!PG_ADMIN_URL) {
      const copy = new Database(sqlitePath(fresh.url), { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('foreign_key_check')).toEqual([]);
      copy.close();
    }

    // the restored database serves: migrations are already applied, the account logs in
    const restored = await startTestApp({}, fresh);
    extra.push(restored);
    const agent = restored.agent();
    const login = await submitForm(agent, '/login', '/login', { email, password: PASSWORD });
    expect(login.status).toBe(303);
    const names = (await restored.dataSource.getRepository(Contact).find({ where: { userId }, select: { name: true } })).map((c) => c.name);
    const restoredSet = new Set(names);
    // every row committed before the backup started is in it; nothing that was never committed is
    for (const name of before) expect(restoredSet.has(name)).toBe(true);
    for (const name of names) expect(committed).toContain(name);
    // one snapshot: the writer commits in order, so what the copy holds is a prefix of that order
    expect(names.sort()).toEqual(committed.slice(0, names.length));
  });

  it('refuses to restore into a database that is not empty unless forced', async () => {
    const file = join(dir, 'refuse.backup');
    await backupDatabase(t.db.url, file);
    const target = await createTestDatabase();
    extra.push(target);
    await restoreDatabase(target.url, file);
    await expect(restoreDatabase(target.url, file)).rejects.toMatchObject({ code: 'not-empty' });
    const forced = await restoreDatabase(target.url, file, { force: true });
    expect(forced.file).toBe(file);
  });

  it('refuses a file of the wrong kind, and one that is not there', async () => {
    const junk = join(dir, 'junk.backup');
    writeFileSync(junk, 'not a backup at all');
    const target = await createTestDatabase();
    extra.push(target);
    await expect(restoreDatabase(target.url, junk)).rejects.toMatchObject({ code: 'wrong-format' });
    await expect(restoreDatabase(target.url, join(dir, 'missing.backup'))).rejects.toBeInstanceOf(BackupError);
    await expect(backupDatabase(t.db.url, join(dir, 'no-such-folder', 'x.backup'))).rejects.toMatchObject({ code: 'missing-file' });
  });

  it('npm run backup / restore: the command line writes a copy, refuses a non-empty target, and --force replaces it', async () => {
    const file = join(dir, 'cli.backup');
    const backup = await runCli(['backup', file], t.db.url);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up the (SQLite|PostgreSQL) database to .*cli\.backup/);

    const refused = await runCli(['restore', file], t.db.url);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^restore failed: The database .*is not empty .*--force/);

    const target = await createTestDatabase();
    extra.push(target);
    const restored = await runCli(['restore', file], target.url);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^Restored the/);

    const usage = await runCli(['restore'], target.url);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/npm run backup -- FILE/);
  });

  it('nightly backup-database: one file per run in BACKUP_DIR, only the newest BACKUP_KEEP kept, other files left alone', async () => {
    const backupDir = join(dir, 'nightly');
    const nightly = await startTestApp({ BACKUP_DIR: backupDir, BACKUP_KEEP: '2' }, t.db);
    extra.push({ drop: () => nightly.close() } as TestApp);
    const service = nightly.app.get(BackupService);
    const clock = nightly.app.get(Clock);
    let now = new Date('2026-12-01T03:30:00Z');
    jest.spyOn(clock, 'now').mockImplementation(() => now);
    const keepMe = join(dir, 'nightly', 'my-own-copy.sqlite');
    for (let day = 0; day < 3; day++) {
      now = new Date(Date.UTC(2026, 11, 1 + day, 3, 30));
      const counts = await service.runNightly();
      expect(counts).toMatchObject({ kept: Math.min(day + 1, 2), deleted: day >= 2 ? 1 : 0 });
      expect(counts!.bytes).toBeGreaterThan(0);
      if (day === 0) writeFileSync(keepMe, 'mine');
    }
    const ext = PG_ADMIN_URL ? 'pgdump' : 'sqlite';
    expect(readdirSync(backupDir).sort()).toEqual([`devhub-20261202T033000Z.${ext}`, `devhub-20261203T033000Z.${ext}`, 'my-own-copy.sqlite']);
    expect(existsSync(keepMe)).toBe(true);

    // registered as a nightly job on the maintenance queue; its 02:47 slot runs once through the engine
    const def = nightly.app.get(JobsService).definition('backup-database');
    expect(def).toMatchObject({ queue: 'devhub-maintenance', schedule: { cron: '47 2 * * *' } });
    now = new Date('2030-03-01T02:47:00.000Z');
    await nightly.app.get(LocalJobEngine).tick(new Date(now.getTime() + 500), [def]);
    await nightly.app.get(LocalJobEngine).drain();
    const runs = await nightly.dataSource.query(`SELECT outcome, counts FROM job_runs WHERE job = 'backup-database'`);
    expect(runs).toHaveLength(1);
    expect(runs[0].outcome).toBe('succeeded');
    expect(JSON.parse(runs[0].counts)).toMatchObject({ kept: 2, deleted: 1 });
    expect(readdirSync(backupDir)).toContain(`devhub-20300301T024700Z.${ext}`);

    // without BACKUP_DIR: no job, and the service does nothing
    const off = t.app.get(BackupService);
    expect(off.enabled).toBe(false);
    expect(await off.runNightly()).toBeNull();
    expect(t.app.get(JobsService).definitions().map((d) => d.name)).not.toContain('backup-database');
  });
});
