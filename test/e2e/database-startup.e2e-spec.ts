import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, PG_ADMIN_URL, startTestApp, TestApp } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');

function runServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // a server that did start is stopped: the test then fails on its exit code
    child.stdout.on('data', () => /listening on/.test(stdout) && child.kill('SIGTERM'));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('database start-up', () => {
  // child processes and restarts: a budget for a loaded machine, not a speed check
  jest.setTimeout(180_000);

  it('refuses a read-only SQLite file with one clear line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-ro-'));
    const file = join(dir, 'devhub.db');
    writeFileSync(file, '');
    chmodSync(file, 0o444);
    const res = await runServer({ DATA_DIR: dir, DATABASE_URL: `sqlite:${file}` });
    expect(res.code).not.toBe(0);
    expect(res.stdout).not.toContain('listening on');
    expect(res.stderr.trim().split('\n')).toEqual([`DevHub failed to start: the database file ${file} is read-only: DevHub must be able to write the SQLite file and its folder (for the -wal and -shm files); fix its permissions or DATABASE_URL`]);
  });

  it('refuses a read-only folder for the SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-ro-'));
    const folder = join(dir, 'db');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    const res = await runServer({ DATA_DIR: dir, DATABASE_URL: `sqlite:${join(folder, 'devhub.db')}` });
    chmodSync(folder, 0o755);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(`the database folder ${folder} is read-only`);
  });

  it('stops at once on a permanent connection error, without retrying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-bad-'));
    let databaseUrl: string;
    if (PG_ADMIN_URL) {
      const url = new URL(PG_ADMIN_URL);
      url.pathname = '/devhub_no_such_database_i11';
      databaseUrl = url.toString();
    } else {
      // a path under a file: the folder can never be created
      writeFileSync(join(dir, 'not-a-folder'), '');
      databaseUrl = `sqlite:${join(dir, 'not-a-folder', 'devhub.db')}`;
    }
    const res = await runServer({ DATA_DIR: dir, DATABASE_URL: databaseUrl });
    expect(res.code).not.toBe(0);
    expect(res.stdout).not.toContain('Retrying');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(PG_ADMIN_URL ? /^DevHub failed to start: .*devhub_no_such_database_i11.* does not exist/ : /^DevHub failed to start: .*(ENOTDIR|EEXIST|not a directory)/i);
  });

  describe('two instances starting at once', () => {
    const apps: TestApp[] = [];
    afterAll(async () => {
      for (const a of apps) await a.close().catch(() => undefined);
      await apps[0]?.db.drop();
    });

    it('apply each migration once (they take a lock around migrations)', async () => {
      const db = await createTestDatabase();
      apps.push(...(await Promise.all([startTestApp({}, db), startTestApp({}, db)])));
      const rows: Array<{ name: string }> = await apps[0].dataSource.query('SELECT name FROM migrations');
      const names = rows.map((r) => r.name);
      expect(names.length).toBe(apps[0].dataSource.migrations.length);
      expect(new Set(names).size).toBe(names.length);
      for (const a of apps) await a.agent().get('/readyz').expect(200);
    });
  });
});
