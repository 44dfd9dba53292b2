import type { EnqueueOptions, EnqueuedJob, JobDefinition, JobQueueName, JobStatus } from './job-api';

/** Concurrency per queue, per process (an instance with jobs enabled, or a worker). */
export const QUEUE_CONCURRENCY: Record<JobQueueName, number> = {
  'devhub-sync': 2,
  'devhub-agent': 2,
  'devhub-notifications': 1,
  'devhub-maintenance': 1,
};

/** Base of the exponential backoff between attempts, unless a job sets its own. */
export const DEFAULT_BACKOFF_MS = 10_000;
export const DEFAULT_ATTEMPTS = 3;

export interface QueueDepth {
  queue: JobQueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface FailedJob {
  id: string;
  name: string;
  queue: string;
  error: string | null;
  attempts: number;
  finishedAt: Date | null;
}

/** What JobsService needs from an engine (in-process on @nestjs/schedule, or BullMQ). */
export interface JobEngine {
  readonly kind: 'in-process' | 'bullmq';
  /** Starts running jobs in this process (only when JOBS_ENABLED). */
  start(): Promise<void>;
  /** A job registered after start. */
  added(def: JobDefinition<unknown>): Promise<void>;
  enqueue(def: JobDefinition<unknown>, payload: unknown, options: EnqueueOptions): Promise<EnqueuedJob>;
  status(id: string, ownerId?: string): Promise<JobStatus | null>;
  /** Per queue: waiting, active, delayed, failed (for /admin and /metrics). */
  depth(): Promise<QueueDepth[]>;
  failed(limit: number): Promise<FailedJob[]>;
  /** Puts a failed on-demand job back in its queue; false when there is no such failed job. */
  retry(id: string): Promise<boolean>;
  /** Stops taking work, aborts and waits for what runs, up to `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

export const JOB_ENGINE = Symbol('JOB_ENGINE');
