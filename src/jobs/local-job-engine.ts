import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { EnqueueOptions, EnqueuedJob, JOB_QUEUES, JobDefinition, JobQueueName, JobStatus } from './job-api';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, FailedJob, JobEngine, QUEUE_CONCURRENCY, QueueDepth } from './job-engine';
import { AttemptResult, JobExecutor } from './job-executor.service';
import { QueuedJob } from './job-run.entity';
import { JobRegistry } from './job-registry';
import { JobStore } from './job-store.repository';
import { JobsInstance } from './jobs-instance';
import { backoffMs, slotAt } from './schedule';

const TICK_NAME = 'devhub-jobs-tick';

/**
 * Jobs in-process (no REDIS_URL), on @nestjs/schedule's interval registry. Every second each
 * instance with jobs enabled:
 * - computes the current time slot of every scheduled job and tries to insert its `job_slots` row:
 *   the primary key (job, slot) lets exactly one instance in, whatever the skew between their timers;
 * - takes over slots whose holder's lease expired (it crashed) or whose retry is due;
 * - claims queued on-demand jobs (`jobs` rows), up to the queue's concurrency.
 * A running slot or job renews its lease every LEASE_MS / 3; a holder that dies stops renewing and
 * another instance takes the work over after LEASE_MS.
 */
@Injectable()
export class LocalJobEngine implements JobEngine {
  readonly kind = 'in-process' as const;
  static readonly LEASE_MS = 60_000;
  private readonly logger = new Logger('Jobs');
  private readonly lastSlot = new Map<string, number>();
  private readonly runningJobs = new Set<string>();
  private readonly active = new Map<JobQueueName, number>();
  private readonly inflight = new Set<Promise<AttemptResult>>();
  private readonly aborts = new Set<AbortController>();
  private started = false;
  private stopping = false;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly store: JobStore,
    private readonly registry: JobRegistry,
    private readonly executor: JobExecutor,
    private readonly clock: Clock,
    private readonly instance: JobsInstance,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(): Promise<void> {
    this.started = true;
    // slots that began before this instance started belong to the instances that were up then
    const now = this.clock.now();
    for (const def of this.registry.definitions()) if (def.schedule) this.lastSlot.set(def.name, slotAt(def.schedule, now).getTime());
    const timer = setInterval(() => this.poke(), 1000);
    timer.unref?.();
    this.scheduler.addInterval(TICK_NAME, timer);
  }

  async added(def: JobDefinition<unknown>): Promise<void> {
    if (def.schedule) this.lastSlot.set(def.name, slotAt(def.schedule, this.clock.now()).getTime());
  }

  /** One tick unless one is under way (the timer and an enqueue both poke). */
  private poke(): void {
    if (this.ticking || this.stopping) return;
    this.ticking = this.tick()
      .catch((err) => this.logger.error(`jobs tick failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (this.ticking = null));
  }

  /**
   * Claims and launches what is due at `now` (does not wait for it: see `drain`). Tests call it with
   * their own `now` and definitions list to play instances whose timers fire apart.
   */
  async tick(now = this.clock.now(), definitions = this.registry.definitions()): Promise<void> {
    const byName = new Map(definitions.map((d) => [d.name, d]));
    for (const def of definitions) {
      if (!def.schedule || this.stopping) continue;
      const slot = slotAt(def.schedule, now);
      const last = this.lastSlot.get(def.name);
      if (last !== undefined && slot.getTime() <= last) continue;
      this.lastSlot.set(def.name, slot.getTime());
      // one run of a job at a time per instance; a slot it skips is another instance's to take
      if (this.runningJobs.has(def.name)) continue;
      if (await this.store.claimNewSlot(def.name, slot, this.instance.id, now, LocalJobEngine.LEASE_MS)) this.launchSlot(def, slot, 1);
    }
    const scheduled = definitions.filter((d) => d.schedule).map((d) => d.name);
    for (const row of await this.store.reclaimableSlots(scheduled, now)) {
      const def = byName.get(row.job);
      if (!def || this.runningJobs.has(def.name) || this.stopping) continue;
      const attempt = await this.store.reclaimSlot(row, this.instance.id, now, LocalJobEngine.LEASE_MS);
      if (attempt === null) continue;
      await this.store.failAbandonedRuns({ job: row.job, slot: row.slot }, now, 'the instance running it stopped (lease expired)');
      if (attempt > (def.attempts ?? DEFAULT_ATTEMPTS)) {
        await this.store.finishSlot(row.job, row.slot, this.instance.id, 'failed', now);
        continue;
      }
      this.launchSlot(def, row.slot, attempt);
    }
    for (const queue of JOB_QUEUES) {
      if (this.stopping) break;
      const free = QUEUE_CONCURRENCY[queue] - (this.active.get(queue) ?? 0);
      const names = definitions.filter((d) => d.queue === queue).map((d) => d.name);
      for (const job of await this.store.claimableJobs(names, now, free)) {
        const def = byName.get(job.name)!;
        const attempt = await this.store.claimJob(job, this.instance.id, now, LocalJobEngine.LEASE_MS);
        if (attempt === null) continue;
        if (job.state === 'running') await this.store.failAbandonedRuns({ job: job.name, jobId: job.id }, now, 'the instance running it stopped (lease expired)');
        this.launchJob(def, job, attempt);
      }
    }
  }

  /** Waits for every run this instance launched (tests; shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size || this.ticking) {
      await Promise.allSettled([...this.inflight, this.ticking]);
    }
  }

  private track(p: Promise<AttemptResult>): void {
    this.inflight.add(p);
    p.catch((err) => this.logger.error(`job bookkeeping failed: ${err instanceof Error ? err.message : String(err)}`)).finally(() => this.inflight.delete(p));
  }

  /** Renews `renew` every third of the lease until `stop()`. */
  private heartbeat(renew: (until: Date) => Promise<void>) {
    const timer = setInterval(() => {
      renew(new Date(this.clock.now().getTime() + LocalJobEngine.LEASE_MS)).catch((err) =>
        this.logger.warn(`lease renewal failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, LocalJobEngine.LEASE_MS / 3);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  private launchSlot(def: JobDefinition<unknown>, slot: Date, attempt: number): void {
    this.runningJobs.add(def.name);
    const abort = new AbortController();
    this.aborts.add(abort);
    const stopBeat = this.heartbeat((until) => this.store.renewSlot(def.name, slot, this.instance.id, until));
    const work = (async () => {
      try {
        const result = await this.executor.execute({ def, jobId: `${def.name}@${slot.toISOString()}`, slot, payload: undefined, ownerId: null, attempt, signal: abort.signal });
        const now = this.clock.now();
        if (result.outcome === 'succeeded') await this.store.finishSlot(def.name, slot, this.instance.id, 'done', now);
        else if (this.stopping) await this.store.finishSlot(def.name, slot, this.instance.id, 'retry', now);
        else if (attempt < (def.attempts ?? DEFAULT_ATTEMPTS))
          await this.store.finishSlot(def.name, slot, this.instance.id, 'retry', now, new Date(now.getTime() + backoffMs(attempt, def.backoffMs ?? DEFAULT_BACKOFF_MS)));
        else await this.store.finishSlot(def.name, slot, this.instance.id, 'failed', now);
        return result;
      } finally {
        stopBeat();
        this.aborts.delete(abort);
        this.runningJobs.delete(def.name);
      }
    })();
    this.track(work);
  }

  private launchJob(def: JobDefinition<unknown>, job: QueuedJob, attempt: number): void {
    this.active.set(def.queue, (this.active.get(def.queue) ?? 0) + 1);
    const abort = new AbortController();
    this.aborts.add(abort);
    const stopBeat = this.heartbeat((until) => this.store.renewJob(job.id, this.instance.id, until));
    const work = (async () => {
      try {
        const result = await this.executor.execute({
          def,
          jobId: job.id,
          slot: null,
          payload: JSON.parse(job.payload) as unknown,
          ownerId: job.ownerId,
          attempt,
          signal: abort.signal,
          onProgress: (counts) => this.store.setJobCounts(job.id, counts),
        });
        const now = this.clock.now();
        if (result.outcome === 'succeeded') {
          await this.store.finishJob(job.id, this.instance.id, { state: 'done', counts: result.counts, error: null }, now);
        } else if (this.stopping || attempt < (def.attempts ?? DEFAULT_ATTEMPTS)) {
          const delay = this.stopping ? 0 : backoffMs(attempt, def.backoffMs ?? DEFAULT_BACKOFF_MS);
          await this.store.finishJob(job.id, this.instance.id, { state: 'retry', counts: result.counts, error: result.error, availableAt: new Date(now.getTime() + delay) }, now);
        } else {
          await this.store.finishJob(job.id, this.instance.id, { state: 'failed', counts: result.counts, error: result.error }, now);
        }
        return result;
      } finally {
        stopBeat();
        this.aborts.delete(abort);
        this.active.set(def.queue, (this.active.get(def.queue) ?? 1) - 1);
      }
    })();
    this.track(work);
  }

  async enqueue(def: JobDefinition<unknown>, payload: unknown, options: EnqueueOptions): Promise<EnqueuedJob> {
    const key = options.dedupeKey ?? null;
    for (let i = 0; i < 3; i++) {
      if (key) {
        const existing = await this.store.findQueuedByKey(def.name, key);
        if (existing) return { id: existing.id, deduplicated: true };
      }
      const row = await this.store.insertJob({ name: def.name, queue: def.queue, ownerId: options.ownerId ?? null, dedupeKey: key, payload: payload ?? null }, this.clock.now());
      if (row) {
        if (this.started && this.config.jobsEnabled) setImmediate(() => this.poke());
        return { id: row.id, deduplicated: false };
      }
      // another enqueue with the key won the insert; it may already have started, so look again
    }
    throw new Error(`could not enqueue ${def.name}`);
  }

  async status(id: string, ownerId?: string): Promise<JobStatus | null> {
    const row = await this.store.getJob(id);
    if (!row || (ownerId !== undefined && row.ownerId !== ownerId)) return null;
    return {
      id: row.id,
      name: row.name,
      state: row.state === 'retry' ? 'queued' : row.state,
      counts: row.counts ?? {},
      error: row.error,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
    };
  }

  async depth(): Promise<QueueDepth[]> {
    const rows = await this.store.countByQueueAndState();
    return JOB_QUEUES.map((queue) => {
      const n = (state: string) => rows.find((r) => r.queue === queue && r.state === state)?.n ?? 0;
      return { queue, waiting: n('queued'), active: n('running'), delayed: n('retry'), failed: n('failed') };
    });
  }

  async failed(limit: number): Promise<FailedJob[]> {
    return (await this.store.failedJobs(limit)).map((j) => ({ id: j.id, name: j.name, queue: j.queue, error: j.error, attempts: j.attempts, finishedAt: j.finishedAt }));
  }

  async retry(id: string): Promise<boolean> {
    const ok = await this.store.requeueFailed(id, this.clock.now());
    if (ok && this.started && this.config.jobsEnabled) setImmediate(() => this.poke());
    return ok;
  }

  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.started) {
      try {
        this.scheduler.deleteInterval(TICK_NAME);
      } catch {
        // not registered
      }
    }
    for (const a of this.aborts) a.abort(new Error('the instance is shutting down'));
    await Promise.race([this.drain(), new Promise((r) => setTimeout(r, graceMs).unref?.())]);
  }
}
