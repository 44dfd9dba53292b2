import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { DatabaseUnavailableError, describeFault, isStorageFault } from './database-errors';

/** What TypeORM's SQLite query runner believes about the connection's transaction. */
interface SqliteRunnerState {
  isTransactionActive: boolean;
  transactionDepth: number;
}

/** better-sqlite3's handle, as far as the reset needs it. */
interface SqliteHandle {
  inTransaction: boolean;
  exec(sql: string): unknown;
}

/**
 * Runs units of work in a transaction.
 *
 * better-sqlite3 gives TypeORM one connection for the whole process, so two requests that open
 * transactions at once would nest into each other ("cannot start a transaction within a
 * transaction", or worse, a savepoint inside someone else's work). On SQLite every unit of work
 * therefore waits its turn on a queue; a unit that is already inside one joins it (re-entrant).
 * PostgreSQL has a pool, so units run concurrently there.
 *
 * A unit is acknowledged only once its COMMIT has returned. When COMMIT or ROLLBACK throws (disk
 * full, read-only file, I/O error) the unit fails with DatabaseUnavailableError (503), and on SQLite
 * the connection is put back to "no transaction": TypeORM's runner keeps `isTransactionActive` set
 * after a failed COMMIT/ROLLBACK, and with one shared connection every later unit would become a
 * savepoint inside a transaction that never commits (acknowledged writes lost on restart).
 *
 * The queue is per database file, not per app: two app instances in one process (the
 * multi-instance tests) hold two connections to one file, and a write of one while the other's
 * transaction is open would block the thread on SQLite's lock until busy_timeout ("database is locked").
 */
@Injectable()
export class TransactionService {
  private readonly logger = new Logger('Database');
  private readonly current = new AsyncLocalStorage<EntityManager>();
  private static readonly tails = new Map<string, Promise<unknown>>();
  private readonly serialize: boolean;
  private readonly file: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
    this.file = String((dataSource.options as { database?: unknown }).database ?? '');
  }

  get manager(): EntityManager {
    return this.current.getStore() ?? this.dataSource.manager;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const active = this.current.getStore();
    if (active) return work(active);
    const next = () => this.transact(work);
    if (!this.serialize) return next();
    const tail = TransactionService.tails.get(this.file) ?? Promise.resolve();
    const result = tail.then(next, next);
    const settled = result.catch(() => undefined);
    TransactionService.tails.set(this.file, settled);
    // forget the file once its queue is empty, so closed test databases do not accumulate
    void settled.then(() => {
      if (TransactionService.tails.get(this.file) === settled) TransactionService.tails.delete(this.file);
    });
    return result;
  }

  private async transact<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    try {
      try {
        await qr.startTransaction();
      } catch (err) {
        this.resetSqlite(qr);
        throw this.unavailable('BEGIN', err);
      }
      let result: T;
      try {
        result = await this.current.run(qr.manager, () => work(qr.manager));
      } catch (err) {
        await this.rollback(qr);
        throw isStorageFault(err) ? this.unavailable('write', err) : err;
      }
      try {
        await qr.commitTransaction();
      } catch (err) {
        await this.rollback(qr);
        throw this.unavailable('COMMIT', err);
      }
      return result;
    } finally {
      await qr.release();
    }
  }

  /** Rolls back what the database still holds; a failed ROLLBACK is a fault too, but never hides the first error. */
  private async rollback(qr: QueryRunner) {
    try {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
    } catch (err) {
      this.logger.warn(`ROLLBACK failed (${describeFault(err)}); the connection's transaction state was reset`);
    }
    this.resetSqlite(qr);
  }

  /** SQLite: no transaction left open on the connection, and TypeORM's runner agrees. */
  private resetSqlite(qr: QueryRunner) {
    if (!this.serialize) return;
    const db = (this.dataSource.driver as unknown as { databaseConnection?: SqliteHandle }).databaseConnection;
    try {
      if (db?.inTransaction) db.exec('ROLLBACK');
    } catch (err) {
      this.logger.error(`could not roll back the open transaction: ${describeFault(err)}`);
    }
    const state = qr as unknown as SqliteRunnerState;
    state.isTransactionActive = false;
    state.transactionDepth = 0;
  }

  private unavailable(step: string, err: unknown): DatabaseUnavailableError {
    const reason = `${step} failed: ${describeFault(err)}`;
    this.logger.error(`unit of work not stored, ${reason}`);
    return new DatabaseUnavailableError(reason);
  }
}
