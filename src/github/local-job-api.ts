import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { EnqueuedJob, EnqueueOptions, JobApi, JobCounts, JobDefinition, JobStatus } from '../jobs/job-api';

/**
 * Stand-in for the jobs module's JobsService until it is merged (issue 12): on-demand jobs run in
 * this process, one at a time per queue, and their status lives in memory for an hour. Scheduled
 * definitions and cleanup steps are only recorded (the jobs engine runs them).
 */
export class LocalJobApi implements JobApi {
  private readonly logger = new Logger('LocalJobs');
  private readonly defs = new Map<string, JobDefinition<unknown>>();
  private readonly jobs = new Map<string, JobStatus & { ownerId: string | null; dedupeKey: string | null }>();
  private chain: Promise<void> = Promise.resolve();

  register<P>(definition: JobDefinition<P>): void {
    this.defs.set(definition.name, definition as JobDefinition<unknown>);
  }

  registerCleanup(): void {
    // run by the jobs engine's cleanup-old-data
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`no job named ${name}`);
    if (options.dedupeKey) {
      const queued = [...this.jobs.values()].find((j) => j.dedupeKey === options.dedupeKey && j.state === 'queued');
      if (queued) return { id: queued.id, deduplicated: true };
    }
    const job = { id: randomUUID(), name, state: 'queued' as const, counts: {}, error: null, createdAt: new Date(), startedAt: null, finishedAt: null, ownerId: options.ownerId ?? null, dedupeKey: options.dedupeKey ?? null };
    this.jobs.set(job.id, job);
    this.chain = this.chain.then(() => this.run(def, job, payload));
    return { id: job.id, deduplicated: false };
  }

  private async run(def: JobDefinition<unknown>, job: JobStatus & { ownerId: string | null }, payload: unknown) {
    const j = job as { -readonly [K in keyof JobStatus]: JobStatus[K] };
    j.state = 'running';
    j.startedAt = new Date();
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), def.timeoutMs);
    try {
      const counts = await def.handler({ jobId: job.id, runId: job.id, slot: null, payload, ownerId: job.ownerId, signal: ctrl.signal, progress: async (c: JobCounts) => void (j.counts = c) });
      j.counts = counts ?? j.counts;
      j.state = 'done';
    } catch (err) {
      j.state = 'failed';
      j.error = (err as Error).message.slice(0, 500);
      this.logger.warn(`job ${def.name} failed: ${j.error}`);
    } finally {
      clearTimeout(timer);
      j.finishedAt = new Date();
      for (const [id, old] of this.jobs) if (old.finishedAt && Date.now() - old.finishedAt.getTime() > 3_600_000) this.jobs.delete(id);
    }
  }

  async status(id: string, ownerId?: string): Promise<JobStatus | null> {
    const j = this.jobs.get(id);
    if (!j || (ownerId !== undefined && j.ownerId !== ownerId)) return null;
    const { ownerId: _o, dedupeKey: _d, ...status } = j;
    return { ...status, counts: { ...status.counts } };
  }
}
