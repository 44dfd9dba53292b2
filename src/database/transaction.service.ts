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
 */
@Injectable()
export class TransactionService {
  private readonly current = new AsyncLocalStorage<EntityManager>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  get manager(): EntityManager {
    return this.current.getStore() ?? this.dataSource.manager;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const active = this.current.getStore();
    if (active) return work(active);
    const runInTx = () => this.dataSource.transaction((manager) => this.current.run(manager, () => work(manager)));
    if (!this.serialize) return runInTx();
    const result = this.tail.then(runInTx, runInTx);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
