import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs units of work in a transaction.
 *
 * better-sqlite3 gives TypeORM one connection for the whole process, so two requests that open
 * transactions at once would nest into each other ("cannot start a transaction within a
 * transaction", or worse, a savepoint inside someone else's work). On SQLite every unit of work
 * therefore waits its turn on a queue; a unit that is already inside one joins it (re-entrant).
 * PostgreSQL has a pool, so units run concurrently there.
 *
 * The queue is per database file, not per app: two app instances in one process (the
 * multi-instance tests) hold two connections to one file, and a write of one while the other's
 * transaction is open would block the thread on SQLite's lock until busy_timeout ("database is locked").
 */
@Injectable()
export class TransactionService {
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
    const runInTx = () => this.dataSource.transaction((manager) => this.current.run(manager, () => work(manager)));
    if (!this.serialize) return runInTx();
    const tail = TransactionService.tails.get(this.file) ?? Promise.resolve();
    const result = tail.then(runInTx, runInTx);
    const next = result.catch(() => undefined);
    TransactionService.tails.set(this.file, next);
    // forget the file once its queue is empty, so closed test databases do not accumulate
    void next.then(() => {
      if (TransactionService.tails.get(this.file) === next) TransactionService.tails.delete(this.file);
    });
    return result;
  }
}
