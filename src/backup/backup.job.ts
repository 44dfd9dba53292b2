import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service';
import { BackupService } from './backup.service';

/** backup-database, nightly at 02:47 UTC (before cleanup-old-data), registered only when BACKUP_DIR is set. */
@Injectable()
export class BackupJob implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly backups: BackupService,
  ) {}

  onModuleInit(): void {
    if (!this.backups.enabled) return;
    this.jobs.register({
      name: 'backup-database',
      queue: 'devhub-maintenance',
      schedule: { cron: '47 2 * * *' },
      timeoutMs: 60 * 60_000,
      attempts: 2,
      handler: async () => (await this.backups.runNightly()) ?? undefined,
    });
  }
}
