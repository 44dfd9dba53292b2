import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port nobody listens on right now (on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface WaitOptions {
  /** what the server is called in errors */
  what: string;
  /** which status means "up" (default: any below 500) */
  ready?: (status: number) => boolean;
  /** the server's recent output, added to errors */
  logs?: () => string;
}

/** Polls `url` every 100 ms until the server answers as `ready` wants; fails if it exits or after 60 s. */
export async function waitUntilUp(url: string, child: ChildProcess, { what, ready = (s) => s < 500, logs }: WaitOptions): Promise<void> {
  const deadline = Date.now() + 60_000;
  const tail = () => (logs ? `:\n${logs()}` : '');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}${tail()}`);
    try {
      if (ready((await fetch(url)).status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within 60 s${tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The environment a benched DevHub runs in: production mode on an SQLite file, jobs off, warnings only. */
export function productionEnv(dir: string, dbFile: string, baseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `sqlite:${dbFile}`,
    DATA_DIR: dir,
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    BASE_URL: baseUrl,
    JOBS_ENABLED: 'false',
    ...extra,
  };
}
