import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { isPostgresUrl } from '../database/column-types';

/**
 * Consistent copies of the database while the app runs, and putting one back:
 * - SQLite: better-sqlite3's online backup API in a worker thread (see copySqlite), an integrity
 *   check of the copy, then a rename: FILE is either a whole, checked copy or absent.
 * - PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot), listed back with
 *   `pg_restore --list` before the rename; restored with `pg_restore --single-transaction`.
 * The password of a postgres:// URL goes to pg_dump/pg_restore in PGPASSWORD, never on their command line.
 */

export type BackupEngine = 'sqlite' | 'postgres';

export interface BackupResult {
  engine: BackupEngine;
  file: string;
  bytes: number;
}

export interface RestoreOptions {
  /** Replace a database that already has tables (everything in it is lost). */
  force?: boolean;
}

/** A refusal or a failed check, with a message for the person at the terminal. */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly code: 'not-empty' | 'wrong-format' | 'integrity' | 'tool-failed' | 'missing-file',
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

const SQLITE_HEADER = 'SQLite format 3\0';
const PG_DUMP_HEADER = 'PGDMP';

export function sqlitePath(databaseUrl: string): string {
  return resolve(databaseUrl.replace(/^sqlite:/, ''));
}

export async function backupDatabase(databaseUrl: string, file: string): Promise<BackupResult> {
  const target = resolve(file);
  if (!existsSync(dirname(target))) throw new BackupError(`The folder ${dirname(target)} does not exist.`, 'missing-file');
  // written beside the target and renamed: a failed or interrupted backup never leaves a half file at FILE
  const partial = `${target}.partial-${process.pid}`;
  try {
    if (isPostgresUrl(databaseUrl)) {
      await runPgTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`], databaseUrl);
      await runPgTool('pg_restore', ['--list', partial], null);
    } else {
      await backupSqlite(databaseUrl, partial);
    }
    fsyncFile(partial);
    renameSync(partial, target);
    fsyncFile(dirname(target));
  } finally {
    rmSync(partial, { force: true });
  }
  return { engine: isPostgresUrl(databaseUrl) ? 'postgres' : 'sqlite', file: target, bytes: statSync(target).size };
}

async function backupSqlite(databaseUrl: string, partial: string): Promise<void> {
  const source = sqlitePath(databaseUrl);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source}.`, 'missing-file');
  await copySqlite(source, partial, true);
}

/**
 * Copies `source` into `target` with SQLite's backup API and checks the copy (`PRAGMA
 * integrity_check`, foreign keys), in a worker thread: a large file never holds up the event loop
 * of a running server. All pages go in one step, which is one read transaction: a consistent
 * snapshot however much others write meanwhile (a copy in several steps restarts every time another
 * connection commits, and under steady writes might never finish). WAL writers are not blocked by it.
 * With `standalone`, the copy leaves WAL mode, so the file alone is the whole database.
 */
function copySqlite(source: string, target: string, standalone: boolean): Promise<void> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.module);
    (async () => {
      const src = new Database(workerData.source, { fileMustExist: true, timeout: 5000 });
      try {
        await src.backup(workerData.target, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
      } finally {
        src.close();
      }
      const db = new Database(workerData.target, { fileMustExist: true });
      try {
        if (workerData.standalone) db.pragma('journal_mode = DELETE');
        return { integrity: db.pragma('integrity_check', { simple: true }), foreignKeys: db.pragma('foreign_key_check').length };
      } finally {
        db.close();
      }
    })().then((r) => parentPort.postMessage(r), (err) => parentPort.postMessage({ error: String(err && err.message || err) }));`;
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { source, target, standalone, module: require.resolve('better-sqlite3') } });
    worker.once('message', (r: { integrity?: string; foreignKeys?: number; error?: string }) => {
      if (r.error !== undefined) {
        reject(/not a database|malformed/i.test(r.error) ? new BackupError(`${source} is not a usable SQLite database (${r.error}).`, 'integrity') : new Error(r.error));
      } else if (r.integrity !== 'ok') {
        reject(new BackupError(`The copy failed SQLite's integrity check: ${String(r.integrity).slice(0, 200)}`, 'integrity'));
      } else if (r.foreignKeys! > 0) {
        reject(new BackupError(`The copy has ${r.foreignKeys} rows whose foreign key points nowhere.`, 'integrity'));
      } else resolvePromise();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`SQLite copy worker exited with ${code}`));
    });
  });
}

export async function restoreDatabase(databaseUrl: string, file: string, options: RestoreOptions = {}): Promise<BackupResult> {
  const source = resolve(file);
  if (!existsSync(source)) throw new BackupError(`There is no backup file at ${source}.`, 'missing-file');
  const header = readHeader(source);
  const postgres = isPostgresUrl(databaseUrl);
  if (postgres && !header.startsWith(PG_DUMP_HEADER)) {
    throw new BackupError(`${source} is not a pg_dump custom-format file, and DATABASE_URL is PostgreSQL.`, 'wrong-format');
  }
  if (!postgres && header !== SQLITE_HEADER) {
    throw new BackupError(`${source} is not an SQLite database file, and DATABASE_URL is SQLite.`, 'wrong-format');
  }
  if (postgres) await restorePostgres(databaseUrl, source, options);
  else await restoreSqlite(databaseUrl, source, options);
  return { engine: postgres ? 'postgres' : 'sqlite', file: source, bytes: statSync(source).size };
}

async function restoreSqlite(databaseUrl: string, source: string, options: RestoreOptions): Promise<void> {
  const target = sqlitePath(databaseUrl);
  const tables = sqliteTableCount(target);
  if (tables > 0 && !options.force) {
    throw new BackupError(`The database at ${target} is not empty (${tables} tables). Restore into an empty one, or add --force to replace it (stop DevHub first).`, 'not-empty');
  }
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.restore-${process.pid}`;
  try {
    await copySqlite(source, partial, true);
    fsyncFile(partial);
    // the old file's write-ahead log must not be replayed over the restored pages
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(target + suffix, { force: true });
    renameSync(partial, target);
    fsyncFile(dirname(target));
  } finally {
    rmSync(partial, { force: true });
  }
}

function sqliteTableCount(file: string): number {
  if (!existsSync(file) || statSync(file).size === 0) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function restorePostgres(databaseUrl: string, source: string, options: RestoreOptions): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    const tables = Number(rows[0].n);
    if (tables > 0 && !options.force) {
      throw new BackupError(`The database is not empty (${tables} tables). Restore into an empty one, or add --force to replace it (stop DevHub first).`, 'not-empty');
    }
    if (tables > 0) await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  } finally {
    await client.end();
  }
  await runPgTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction'], databaseUrl, source);
}

function readHeader(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs pg_dump / pg_restore against `databaseUrl` (password in the environment); rejects with its stderr. */
function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], databaseUrl: string | null, input?: string): Promise<void> {
  const env = { ...process.env };
  const full = [...args];
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
    url.password = '';
    full.push(`--dbname=${url.toString()}`);
  }
  if (input) full.push(input);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tool, full, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new BackupError(err.code === 'ENOENT' ? `${tool} is not installed (PostgreSQL's client tools, same major version as the server or newer).` : `${tool}: ${err.message}`, 'tool-failed')),
    );
    child.once('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new BackupError(`${tool} failed (exit code ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`, 'tool-failed'));
    });
  });
}
