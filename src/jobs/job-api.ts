/**
 * The one job API that every feature uses (declared here so that the jobs engine, the GitHub sync
 * and the daily digest can be built against the same shape).
 *
 * - A feature declares its jobs once, in its own module's `onModuleInit`, with
 *   `jobs.register({...})`. The handler is one call into the feature's service.
 * - Scheduled jobs carry a `schedule`; each run is identified by its time slot (job + slot start)
 *   and runs once across every instance and worker (database slot rows without Redis, BullMQ job
 *   scheduler ids with REDIS_URL).
 * - On-demand work ("sync now", "build my digest now", an admin's "run now") is `jobs.enqueue()`:
 *   a job on the same queues, whose id is what `GET /api/sync/:id` reports through `jobs.status()`.
 * - Every run, scheduled or on demand, is recorded in `job_runs`.
 *
 * The engine behind it is `JobsService` in this folder (in-process on @nestjs/schedule without
 * REDIS_URL, BullMQ with it). Feature modules inject `JobsService` (the jobs module is global), so
 * the jobs module never imports a feature module.
 */

export const JOB_QUEUES = ['devhub-sync', 'devhub-agent', 'devhub-notifications', 'devhub-maintenance'] as const;
export type JobQueueName = (typeof JOB_QUEUES)[number];

/** Counts a run reports (contacts synced, mails sent…): shown at /admin and in GET /api/sync/:id. */
export type JobCounts = Record<string, number>;

export interface JobContext<P = unknown> {
  /** The job's id: the on-demand job id, or the scheduled slot's id. */
  readonly jobId: string;
  /** The `job_runs` row of this attempt. */
  readonly runId: string;
  /** Start of the time slot for a scheduled run; null for on-demand work. */
  readonly slot: Date | null;
  /** What `enqueue` was given (undefined for scheduled runs). */
  readonly payload: P;
  /** The user the work belongs to, when it was enqueued for one. */
  readonly ownerId: string | null;
  /** Aborted when the run passes its timeout or the process shuts down. */
  readonly signal: AbortSignal;
  /** Reports counts so far (GET /api/sync/:id shows them while the job runs). */
  progress(counts: JobCounts): Promise<void>;
}

export type JobSchedule =
  /** A cron expression in UTC (`'*\/10 * * * *'`). */
  | { cron: string }
  /** A fixed period; slots start at whole multiples of it since the Unix epoch. */
  | { everyMs: number };

export interface JobDefinition<P = unknown> {
  /** Kebab-case, e.g. `sync-github-activity`. */
  name: string;
  queue: JobQueueName;
  /** Omitted for jobs that only run on demand. */
  schedule?: JobSchedule;
  /** A run still going after this long is aborted and recorded failed. */
  timeoutMs: number;
  /** Attempts in all (retries with exponential backoff); default 3. */
  attempts?: number;
  /** First retry delay; each later one doubles it. Default 10 s. */
  backoffMs?: number;
  handler(ctx: JobContext<P>): Promise<JobCounts | void>;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobStatus {
  id: string;
  name: string;
  state: JobState;
  counts: JobCounts;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface EnqueueOptions {
  /** The user the work is for: `status(id, ownerId)` finds it only for them. */
  ownerId?: string;
  /**
   * While a job with the same key is still queued (not yet running), enqueue returns that job
   * instead of adding another (a second "sync now" gets the same id).
   */
  dedupeKey?: string;
}

export interface EnqueuedJob {
  id: string;
  /** True when an already queued job with the same dedupeKey was returned. */
  deduplicated: boolean;
}

/** What feature modules call; implemented by `JobsService`. */
export interface JobApi {
  register<P>(definition: JobDefinition<P>): void;
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<EnqueuedJob>;
  /** Null when there is no such job, or it belongs to another owner than `ownerId`. */
  status(id: string, ownerId?: string): Promise<JobStatus | null>;
  /**
   * A step of the daily `cleanup-old-data` run owned by another module (e.g. the GitHub cache):
   * it deletes what is old at `now`, in batches, and returns how many rows went (a count of the run).
   */
  registerCleanup(name: string, step: (now: Date) => Promise<number>): void;
}
