import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../clock';
import { TransactionService } from '../../database/transaction.service';

export interface Taken {
  /** attempts in the window, this one included */
  count: number;
  /** seconds until the window ends */
  resetInSeconds: number;
}

/** `:name` placeholders to the driver's own ($n on PostgreSQL, ? on SQLite), in one place. */
function bind(m: EntityManager, sql: string, params: Record<string, string | number>): [string, unknown[]] {
  const pg = m.connection.options.type === 'postgres';
  const values: unknown[] = [];
  const seen = new Map<string, number>();
  const text = sql.replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for :${name}`);
    if (!pg) {
      values.push(params[name]);
      return '?';
    }
    if (!seen.has(name)) {
      values.push(params[name]);
      seen.set(name, values.length);
    }
    return typeof params[name] === 'number' ? `$${seen.get(name)}::bigint` : `$${seen.get(name)}`;
  });
  return [text, values];
}

/**
 * Fixed-window attempt counters in the database, shared by every instance. An attempt is taken
 * first, in one atomic statement (INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and
 * PostgreSQL alike), and the caller checks the returned count after: a burst of parallel requests
 * cannot all read "under the limit" before any of them writes.
 */
@Injectable()
export class RateCounterService {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  take(key: string, windowMs: number): Promise<Taken> {
    const now = this.clock.now().getTime();
    return this.tx.run(async (m) => {
      const [sql, values] = bind(
        m,
        `INSERT INTO rate_counters ("key", "count", "window_start", "expires_at") VALUES (:key, 1, :now, :end)
         ON CONFLICT ("key") DO UPDATE SET
           "count" = CASE WHEN rate_counters."expires_at" <= :now THEN 1 ELSE rate_counters."count" + 1 END,
           "window_start" = CASE WHEN rate_counters."expires_at" <= :now THEN :now ELSE rate_counters."window_start" END,
           "expires_at" = CASE WHEN rate_counters."expires_at" <= :now THEN :end ELSE rate_counters."expires_at" END
         RETURNING "count" AS count, "expires_at" AS expires_at`,
        { key, now, end: now + windowMs },
      );
      const rows: Array<{ count: number | string; expires_at: number | string }> = await m.query(sql, values);
      const row = rows[0];
      return { count: Number(row.count), resetInSeconds: Math.max(1, Math.ceil((Number(row.expires_at) - now) / 1000)) };
    });
  }

  /** The attempts so far in the key's current window (0 when none or expired); takes nothing. */
  async peek(key: string): Promise<number> {
    const now = this.clock.now().getTime();
    const m = this.tx.manager;
    const [sql, values] = bind(m, `SELECT "count" AS count FROM rate_counters WHERE "key" = :key AND "expires_at" > :now`, { key, now });
    const rows: Array<{ count: number | string }> = await m.query(sql, values);
    return rows.length ? Number(rows[0].count) : 0;
  }

  /** Gives one attempt back (a log-in that succeeded, a request refused by another counter). */
  async giveBack(key: string): Promise<void> {
    await this.tx.run(async (m) => {
      const [sql, values] = bind(m, `UPDATE rate_counters SET "count" = "count" - 1 WHERE "key" = :key AND "count" > 0`, { key });
      await m.query(sql, values);
    });
  }

  /** Forgets the keys (exact, or every key that starts with `prefix`). */
  async clear(keys: string[], prefix?: string): Promise<void> {
    await this.tx.run(async (m) => {
      for (const key of keys) {
        const [sql, values] = bind(m, `DELETE FROM rate_counters WHERE "key" = :key`, { key });
        await m.query(sql, values);
      }
      if (prefix) {
        const [sql, values] = bind(m, `DELETE FROM rate_counters WHERE "key" LIKE :pattern`, { pattern: `${prefix.replace(/[%_\\]/g, '')}%` });
        await m.query(sql, values);
      }
    });
  }

  /** Drops counters whose window ended (the daily clean-up). */
  async deleteExpired(now = this.clock.now()): Promise<number> {
    return this.tx.run(async (m) => {
      const res = await m.createQueryBuilder().delete().from('rate_counters').where('expires_at < :now', { now: now.getTime() }).execute();
      return res.affected ?? 0;
    });
  }
}
