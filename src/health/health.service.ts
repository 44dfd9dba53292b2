import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RedisConnections } from '../common/redis/redis-connections';
import { TransactionService } from '../database/transaction.service';

export interface Readiness {
  status: 'ok' | 'unavailable';
  /** `unwritable`: the database answers but cannot store a change (disk full, read-only, I/O error) */
  database: 'ok' | 'error' | 'unwritable';
  pendingMigrations: number | null;
  /** only with REDIS_URL: `degraded` never fails readiness (every instance sees the same outage) */
  redis?: 'ok' | 'degraded';
}

/** Below this much free space on the SQLite file's filesystem, the instance is not ready. */
const MIN_FREE_BYTES = 1024 * 1024;
/** A probe that has not finished by then (e.g. queued behind a long import) counts as failed. */
const PROBE_TIMEOUT_MS = 5000;
/** one write probe answers the /readyz calls of this long */
const PROBE_REUSE_MS = 1000;

@Injectable()
export class HealthService {
  private readonly sqliteFile: string | null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly redis: RedisConnections,
  ) {
    const db = dataSource.options.type === 'better-sqlite3' ? String(dataSource.options.database) : null;
    this.sqliteFile = db && db !== ':memory:' ? resolve(db) : null;
  }

  async readiness(): Promise<Readiness> {
    const redis = this.redis.enabled ? { redis: this.redis.states().every((c) => c.state === 'up') ? ('ok' as const) : ('degraded' as const) } : {};
    let pending: number;
    try {
      await this.dataSource.query('SELECT 1');
      pending = (await this.dataSource.showMigrations()) ? await this.countPending() : 0;
    } catch {
      return { status: 'unavailable', database: 'error', pendingMigrations: null, ...redis };
    }
    const writable = pending === 0 ? await this.canWrite() : true;
    const ok = pending === 0 && writable;
    return { status: ok ? 'ok' : 'unavailable', database: writable ? 'ok' : 'unwritable', pendingMigrations: pending, ...redis };
  }

  /**
   * Stores one heartbeat through the same path as every write (TransactionService, so on SQLite it
   * takes its turn on the connection). On SQLite it also writes and frees 64 KB in the same unit, so a
   * file that cannot grow (disk full, max_page_count) fails the probe, not only a read-only one.
   */
  private async canWrite(): Promise<boolean> {
    // a load balancer polling every instance often must not turn into a stream of writes
    if (this.lastProbe && Date.now() - this.lastProbe.at < PROBE_REUSE_MS) return this.lastProbe.ok;
    const ok = await this.probe();
    this.lastProbe = { at: Date.now(), ok };
    return ok;
  }

  private lastProbe: { at: number; ok: boolean } | null = null;

  private async probe(): Promise<boolean> {
    if (this.sqliteFile && !(await this.hasFreeSpace())) return false;
    const sqlite = this.dataSource.options.type === 'better-sqlite3';
    let timer: NodeJS.Timeout | undefined;
    const probe = this.tx.run(async (m) => {
      if (sqlite) {
        await m.query(`UPDATE health_heartbeat SET beat_at = CURRENT_TIMESTAMP, pad = zeroblob(65536) WHERE id = 1`);
        await m.query(`UPDATE health_heartbeat SET pad = NULL WHERE id = 1`);
      } else {
        await m.query(`UPDATE health_heartbeat SET beat_at = CURRENT_TIMESTAMP WHERE id = 1`);
      }
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`write probe took over ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([probe, timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      probe.catch(() => undefined);
    }
  }

  private async hasFreeSpace(): Promise<boolean> {
    try {
      const fs = await statfs(dirname(this.sqliteFile as string));
      return fs.bavail * fs.bsize >= MIN_FREE_BYTES;
    } catch {
      return true; // not knowing is not a reason to take the instance out
    }
  }

  private async countPending(): Promise<number> {
    const rows: Array<{ name: string }> = await this.dataSource.query(`SELECT name FROM migrations`);
    const applied = new Set(rows.map((r) => r.name));
    return this.dataSource.migrations.filter((m) => !applied.has(m.name ?? m.constructor.name)).length;
  }
}
