import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SentryReporter } from '../common/errors/sentry-reporter';
import type { JobContext, JobCounts, JobDefinition } from './job-api';
import { JobRun, JobOutcome } from './job-run.entity';
import { JobStore } from './job-store.repository';
import { JobsInstance } from './jobs-instance';

export interface Attempt<P = unknown> {
  def: JobDefinition<P>;
  jobId: string;
  slot: Date | null;
  payload: P;
  ownerId: string | null;
  attempt: number;
  /** Aborts the run from outside (shutdown, a lost lease). */
  signal?: AbortSignal;
  /** Also called with every progress report (the on-demand job's own row, BullMQ's progress). */
  onProgress?(counts: JobCounts): Promise<void>;
}

export interface AttemptResult {
  run: JobRun;
  outcome: Exclude<JobOutcome, 'running' | 'skipped'>;
  counts: JobCounts;
  error: string | null;
  /** The error as thrown (BullMQ needs it to retry). */
  cause?: unknown;
}

/** Observers of finished runs (the Prometheus metrics). */
export type RunListener = (run: JobRun, durationMs: number) => void;

/**
 * Runs one attempt of a job in either engine: records it in `job_runs` (start, end, outcome,
 * counts, error), aborts it at its timeout, and reports a failure to Sentry. It never throws for
 * the handler's error: the caller decides about retries from the result.
 */
@Injectable()
export class JobExecutor {
  private readonly logger = new Logger('Jobs');
  private readonly listeners: RunListener[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly clock: Clock,
    private readonly errors: SentryReporter,
    private readonly instance: JobsInstance,
  ) {}

  onRunFinished(listener: RunListener): void {
    this.listeners.push(listener);
  }

  async execute<P>(a: Attempt<P>): Promise<AttemptResult> {
    const startedAt = this.clock.now();
    const run: JobRun = Object.assign(new JobRun(), {
      id: randomUUID(),
      job: a.def.name,
      slot: a.slot,
      jobId: a.jobId,
      attempt: a.attempt,
      instance: this.instance.id,
      startedAt,
      finishedAt: null,
      outcome: 'running' as const,
      counts: {},
      error: null,
    });
    await this.store.insertRun(run);
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort(a.signal?.reason ?? new Error('aborted'));
    if (a.signal?.aborted) onOuterAbort();
    else a.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`timed out after ${a.def.timeoutMs} ms`);
        abort.abort(err);
        reject(err);
      }, a.def.timeoutMs);
      timer.unref?.();
    });
    const aborted = new Promise<never>((_, reject) => {
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason instanceof Error ? abort.signal.reason : new Error('aborted')), { once: true });
    });
    // a rejection nobody awaits (the race is already decided) must not become an unhandled one
    timedOut.catch(() => undefined);
    aborted.catch(() => undefined);
    let counts: JobCounts = {};
    const ctx: JobContext<P> = {
      jobId: a.jobId,
      runId: run.id,
      slot: a.slot,
      payload: a.payload,
      ownerId: a.ownerId,
      signal: abort.signal,
      progress: async (c) => {
        counts = { ...c };
        await this.store.updateRun(run.id, { counts });
        await a.onProgress?.(counts);
      },
    };
    let result: AttemptResult;
    try {
      const returned = await Promise.race([a.def.handler(ctx), timedOut, aborted]);
      counts = returned ? { ...returned } : counts;
      result = { run, outcome: 'succeeded', counts, error: null };
    } catch (err) {
      const message = (err instanceof Error ? err.message : `non-error thrown: ${typeof err}`).slice(0, 500);
      this.logger.error(`job ${a.def.name} failed (attempt ${a.attempt}): ${message}`);
      this.errors.report(err, { tags: { job: a.def.name, job_run_id: run.id } });
      result = { run, outcome: 'failed', counts, error: message, cause: err };
    } finally {
      clearTimeout(timer);
      a.signal?.removeEventListener('abort', onOuterAbort);
    }
    const finishedAt = this.clock.now();
    Object.assign(run, { outcome: result.outcome, counts: result.counts, error: result.error, finishedAt });
    await this.store.updateRun(run.id, { outcome: run.outcome, counts: run.counts, error: run.error, finishedAt });
    const duration = Math.max(0, finishedAt.getTime() - startedAt.getTime());
    for (const l of this.listeners) {
      try {
        l(run, duration);
      } catch {
        // an observer must never fail a run
      }
    }
    return result;
  }
}
