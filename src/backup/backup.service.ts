import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { isPostgresUrl } from '../database/column-types';
import { backupDatabase } from './database-backup';

/** Files the nightly job writes, and the only ones its pruning ever deletes. */
const NIGHTLY_FILE = /^devhub-\d{8}T\d{6}Z\.(sqlite|pgdump)$/;

export interface NightlyBackupCounts {
  [key: string]: number;
  bytes: number;
  kept: number;
  deleted: number;
}

/** The nightly `backup-database` job's work: one copy into BACKUP_DIR, then only the newest BACKUP_KEEP stay. */
@Injectable()
export class BackupService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.backup.dir);
  }

  /** Null when BACKUP_DIR is unset. A failed backup throws and deletes nothing. */
  async runNightly(): Promise<NightlyBackupCounts | null> {
    const dir = this.config.backup.dir;
    if (!dir) return null;
    mkdirSync(dir, { recursive: true });
    const stamp = this.clock
      .now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const extension = isPostgresUrl(this.config.databaseUrl) ? 'pgdump' : 'sqlite';
    const result = await backupDatabase(this.config.databaseUrl, join(dir, `devhub-${stamp}.${extension}`));
    // names sort by time; the newest BACKUP_KEEP stay
    const nightly = readdirSync(dir)
      .filter((name) => NIGHTLY_FILE.test(name))
      .sort()
      .reverse();
    const old = nightly.slice(this.config.backup.keep);
    for (const name of old) rmSync(join(dir, name), { force: true });
    return { bytes: result.bytes, kept: nightly.length - old.length, deleted: old.length };
  }
}
