import { ServiceUnavailableException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

/** SQLite result codes (better-sqlite3's `code`) that mean the database cannot store anything right now. */
const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB|BUSY|LOCKED)/;
/**
 * PostgreSQL SQLSTATE classes with the same meaning: 53 insufficient resources (disk full, out of
 * memory, too many connections), 08 connection exception, 57P admin shutdown / crash, 58 system error,
 * 25006 read-only transaction (a replica or a read-only database).
 */
const PG_STORAGE = /^(53|08|57P|58)|^25006$/;
/** Node's socket errors: the database server is gone. */
const NET = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/;

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : '';
}

/** True when the error says the database cannot write (full, read-only, gone), not that the data was wrong. */
export function isStorageFault(err: unknown): boolean {
  const code = codeOf(err);
  if (SQLITE_STORAGE.test(code) || NET.test(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code) && PG_STORAGE.test(code)) return true;
  // the pg driver released the query runner because its connection died under it
  if (err instanceof Error && err.name === 'QueryRunnerAlreadyReleasedError') return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|database or disk is full|attempt to write a readonly database/i.test(message);
}

/**
 * A storage fault that surely came from the database (a failed query, an SQLite or SQLSTATE code,
 * the pg driver's lost connection), not from some other socket such as a webhook or mail server.
 */
export function isDatabaseFault(err: unknown): boolean {
  if (!isStorageFault(err)) return false;
  if (err instanceof QueryFailedError || (err instanceof Error && err.name === 'QueryRunnerAlreadyReleasedError')) return true;
  const code = codeOf(err);
  return code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code) || /Connection terminated/i.test(err instanceof Error ? err.message : '');
}

/**
 * The unit of work was not stored: nothing of it is committed, so nothing may be acknowledged.
 * A 503 with Retry-After (the contract's error shape under /api, the error page elsewhere).
 */
export class DatabaseUnavailableError extends ServiceUnavailableException {
  readonly headers = { 'Retry-After': '5' };

  constructor(readonly reason: string) {
    super('The database cannot store changes right now, so nothing was saved. Please try again in a moment.');
  }
}

/** The cause of a fault in one short line (the code and message, never the query or its parameters). */
export function describeFault(err: unknown): string {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}
