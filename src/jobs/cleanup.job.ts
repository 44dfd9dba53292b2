import { Inject, Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { LessThan } from 'typeorm';
import { PasswordResetToken } from '../auth/password-reset-token.entity';
import { DatabaseSessionStore } from '../auth/session.store';
import { Clock } from '../common/clock';
import { RateCounterService } from '../common/rate/rate-counter.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { TransactionService } from '../database/transaction.service';
import { OutboxEvent } from '../outbox/outbox-event.entity';
import { ProfileView } from '../analytics/profile-view.entity';
import { WebhooksService } from '../webhooks/webhooks.service';
import { ImportService } from '../import-export/import.service';
import { JobRun } from './job-run.entity';
import { JobRunner } from './job-runner.service';

const DAY = 86_400_000;

/** cleanup-old-data: expired sessions, tokens and uploads, old throttle rows, dispatched outbox events, 30-day webhook logs. */
@Injectable()
export class CleanupJob {
  constructor(
    private readonly runner: JobRunner,
    private readonly sessions: DatabaseSessionStore,
    private readonly webhooks: WebhooksService,
    private readonly imports: ImportService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly rateCounters: RateCounterService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Cron('17 3 * * *', { name: 'cleanup-old-data' })
  async scheduled(): Promise<void> {
    if (this.config.jobsEnabled) await this.run();
  }

  run() {
    return this.runner.run('cleanup-old-data', async () => {
      const now = this.clock.now();
      const sessions = await this.sessions.deleteExpired(now);
      const webhookDeliveries = await this.webhooks.purgeOldLogs(now);
      const pendingImports = await this.imports.purgeExpired();
      const counts = await this.tx.run(async (m) => ({
        resetTokens: (await m.getRepository(PasswordResetToken).delete({ expiresAt: LessThan(new Date(now.getTime() - DAY)) })).affected ?? 0,
        throttleRows: await this.rateCounters.deleteExpired(now),
        outboxEvents: (await m.getRepository(OutboxEvent).delete({ dispatchedAt: LessThan(new Date(now.getTime() - 7 * DAY)) })).affected ?? 0,
        // /analytics shows up to 90 days; a year of raw views is kept
        profileViews: (await m.getRepository(ProfileView).delete({ createdAt: LessThan(new Date(now.getTime() - 365 * DAY)) })).affected ?? 0,
        jobRuns: (await m.getRepository(JobRun).delete({ startedAt: LessThan(new Date(now.getTime() - 90 * DAY)) })).affected ?? 0,
      }));
      return { sessions, webhookDeliveries, pendingImports, ...counts };
    });
  }
}
