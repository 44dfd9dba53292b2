import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function runServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('start-up', () => {
  it('stops with one clear line naming a bad variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-start-'));
    const res = await runServer({ PORT: 'not-a-port', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'x.db')}` });
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toBe('Invalid configuration: PORT must be a whole number from 0 to 65535 (got "not-a-port")');
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });

  it('creates the SQLite file, serves, and on SIGTERM closes the server and the database, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-start-'));
    const db = join(dir, 'nested', 'devhub.db');
    const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dir, DATABASE_URL: `sqlite:${db}`, LOG_LEVEL: 'info' },
    });
    let out = '';
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`server exited early: ${out}`)));
    });
    expect(existsSync(db)).toBe(true);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('shut down on SIGTERM');
    expect(out).toContain('database closed');
  });
});
