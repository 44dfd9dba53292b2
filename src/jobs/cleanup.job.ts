import { Injectable, OnModuleInit } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { PasswordResetToken } from '../auth/password-reset-token.entity';
import { DatabaseSessionStore } from '../auth/session.store';
import { Clock } from '../common/clock';
import { RateCounterService } from '../common/rate/rate-counter.service';
import { deleteInBatches } from '../database/batch-delete';
import { TransactionService } from '../database/transaction.service';
import { OutboxEvent } from '../outbox/outbox-event.entity';
import { WebhooksService } from '../webhooks/webhooks.service';
import { ImportService } from '../import-export/import.service';
import type { JobCounts } from './job-api';
import { JobStore } from './job-store.repository';
import { JobsService } from './jobs.service';

const DAY = 86_400_000;

/**
 * cleanup-old-data, daily at 03:17 UTC: runs every step registered with `registerCleanup` (this
 * module's own below, and those of other modules such as the GitHub cache), each in batches; the
 * rows each step removed are the run's counts. A step that fails does not stop the others; the run
 * is then recorded failed with the first error.
 */
@Injectable()
export class CleanupJob implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly store: JobStore,
    private readonly sessions: DatabaseSessionStore,
    private readonly webhooks: WebhooksService,
    private readonly imports: ImportService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly rateCounters: RateCounterService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'cleanup-old-data',
      queue: 'devhub-maintenance',
      schedule: { cron: '17 3 * * *' },
      timeoutMs: 30 * 60_000,
      attempts: 2,
      handler: (ctx) => this.run(this.clock.now(), (c) => ctx.progress(c)),
    });
    const ago = (now: Date, days: number) => new Date(now.getTime() - days * DAY);
    this.jobs.registerCleanup('sessions', (now) => this.sessions.deleteExpired(now));
    this.jobs.registerCleanup('webhookDeliveries', (now) => this.webhooks.purgeOldLogs(now));
    this.jobs.registerCleanup('pendingImports', () => this.imports.purgeExpired());
    this.jobs.registerCleanup('resetTokens', (now) => deleteInBatches(this.tx, PasswordResetToken, { expiresAt: LessThan(ago(now, 1)) }));
    this.jobs.registerCleanup('throttleRows', (now) => this.rateCounters.deleteExpired(now));
    this.jobs.registerCleanup('outboxEvents', (now) => deleteInBatches(this.tx, OutboxEvent, { dispatchedAt: LessThan(ago(now, 7)) }));
    this.jobs.registerCleanup('jobRuns', (now) => this.store.deleteRunsBefore(ago(now, 90), 100_000));
    this.jobs.registerCleanup('jobSlots', (now) => this.store.deleteSlotsBefore(ago(now, 7), 100_000));
    this.jobs.registerCleanup('finishedJobs', (now) => this.store.deleteJobsBefore(ago(now, 30), 100_000));
  }

  /** Every step at `now`; returns the rows each removed. */
  async run(now: Date, progress?: (counts: JobCounts) => Promise<void>): Promise<JobCounts> {
    const counts: JobCounts = {};
    let firstError: unknown;
    for (const [name, step] of this.jobs.cleanupSteps()) {
      try {
        counts[name] = await step(now);
      } catch (err) {
        firstError ??= err;
      }
      await progress?.(counts);
    }
    if (firstError) throw firstError;
    return counts;
  }
}
