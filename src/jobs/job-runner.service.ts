import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SentryReporter } from '../common/errors/sentry-reporter';
import { TransactionService } from '../database/transaction.service';
import { JobLease, JobRun } from './job-run.entity';

export const INSTANCE_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * Runs a named job once across all instances (a lease row in the database decides who), and
 * records every run with its start, end, outcome and counts for /admin. A failed run is also
 * reported to Sentry (when SENTRY_DSN is set), tagged with the job and the run's id.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly errors: SentryReporter,
  ) {}

  private async acquire(job: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    return this.tx.run(async (m) => {
      const repo = m.getRepository(JobLease);
      const updated = await m
        .createQueryBuilder()
        .update(JobLease)
        .set({ holder: INSTANCE_ID, expiresAt })
        .where('job = :job', { job })
        .andWhere('expires_at < :now', { now })
        .execute();
      if (updated.affected) return true;
      if (await repo.exists({ where: { job } })) return false;
      try {
        await repo.insert({ job, holder: INSTANCE_ID, expiresAt });
        return true;
      } catch {
        return false; // another instance inserted it first
      }
    });
  }

  private async release(job: string) {
    await this.tx.run((m) => m.getRepository(JobLease).delete({ job, holder: INSTANCE_ID }));
  }

  /** Runs `work` unless another instance holds the job; returns the recorded run (or null when skipped). */
  async run(job: string, work: () => Promise<Record<string, number>>, leaseMs = 30 * 60_000): Promise<JobRun | null> {
    if (!(await this.acquire(job, leaseMs))) return null;
    const run: JobRun = Object.assign(new JobRun(), {
      id: randomUUID(),
      job,
      instance: INSTANCE_ID,
      startedAt: this.clock.now(),
      finishedAt: null,
      outcome: 'running' as const,
      counts: {},
      error: null,
    });
    await this.tx.run((m) => m.getRepository(JobRun).insert(run));
    try {
      run.counts = await work();
      run.outcome = 'succeeded';
    } catch (err) {
      run.outcome = 'failed';
      run.error = (err instanceof Error ? err.message : `non-error thrown: ${typeof err}`).slice(0, 500);
      this.logger.error(`job ${job} failed: ${run.error}`);
      this.errors.report(err, { tags: { job, job_run_id: run.id } });
    } finally {
      run.finishedAt = this.clock.now();
      await this.tx.run((m) => m.getRepository(JobRun).update({ id: run.id }, { outcome: run.outcome, counts: run.counts, error: run.error, finishedAt: run.finishedAt }));
      await this.release(job);
    }
    return run;
  }

  recent(limit = 50): Promise<JobRun[]> {
    return this.tx.manager.getRepository(JobRun).find({ order: { startedAt: 'DESC' }, take: limit });
  }
}
