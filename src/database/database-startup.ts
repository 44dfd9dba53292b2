import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, DataSourceOptions } from 'typeorm';

/**
 * Start-up errors worth waiting for: the server is not up yet, restarting, or out of connections.
 * Everything else (wrong password, no such database, bad path, a read-only file) will not fix itself:
 * start-up stops at once with the cause.
 */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', '57P03', '53300', '08006', '08001', 'SQLITE_BUSY']);

export function isTransientConnectError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return TRANSIENT.has(e.code);
  return typeof e?.message === 'string' && /timeout expired|Connection terminated unexpectedly/i.test(e.message);
}

/** Start-up stops with this line; main.ts prints it. */
export class DatabaseStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartupError';
  }
}

/**
 * SQLite needs to write the file and its folder (for the -wal and -shm files). A file or folder
 * without write permission is refused before anything opens it, rather than starting, reporting
 * ready and failing every write. Permission bits count even for root, who could write anyway: a
 * file made read-only on purpose is a mistake to point DevHub at.
 */
export function assertSqliteWritable(file: string) {
  if (file === ':memory:') return;
  const path = resolve(file);
  const folder = dirname(path);
  const check = (target: string, what: string) => {
    let writable = true;
    try {
      accessSync(target, constants.W_OK);
      writable = (statSync(target).mode & 0o222) !== 0;
    } catch {
      writable = false;
    }
    if (!writable) {
      throw new DatabaseStartupError(`the database ${what} ${target} is read-only: DevHub must be able to write the SQLite file and its folder (for the -wal and -shm files); fix its permissions or DATABASE_URL`);
    }
  };
  check(folder, 'folder');
  if (existsSync(path)) check(path, 'file');
}

/** pg_advisory_lock key for migrations: any fixed 64-bit number, the same for every instance. */
const MIGRATION_LOCK = 7_651_100_001;

/**
 * Runs pending migrations while holding a lock, so instances started together apply each migration
 * once: the first takes the lock and migrates, the others wait, then find nothing left to do.
 * PostgreSQL: a session advisory lock on its own connection. SQLite: an exclusive transaction on a
 * small lock file beside the database, polled without blocking the event loop.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type === 'postgres') {
    const qr = dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await qr.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      await qr.release();
    }
    return;
  }
  const file = String(dataSource.options.database);
  if (file === ':memory:') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const release = await lockSqlite(`${resolve(file)}-migrate.lock`);
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    release();
  }
}

interface LockDb {
  exec(sql: string): unknown;
  close(): unknown;
}

async function lockSqlite(lockFile: string, timeoutMs = 120_000): Promise<() => void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as new (file: string, options?: { timeout?: number }) => LockDb;
  const db = new Database(lockFile, { timeout: 0 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      return () => {
        try {
          db.exec('COMMIT');
        } finally {
          db.close();
        }
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) {
        db.close();
        throw err;
      }
      await sleep(50);
    }
  }
}

/**
 * The app's data source: refuses a read-only SQLite file, connects (PostgreSQL gives up on one
 * attempt after 5 s), then migrates under the lock. On failure nothing is left open.
 */
export async function openDatabase(options: DataSourceOptions): Promise<DataSource> {
  if (options.type === 'better-sqlite3') assertSqliteWritable(String(options.database));
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
    await runMigrationsLocked(dataSource);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw err;
  }
  return dataSource;
}
