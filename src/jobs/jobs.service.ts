import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { EnqueueOptions, EnqueuedJob, JobApi, JobDefinition, JobStatus } from './job-api';
import { FailedJob, JOB_ENGINE, JobEngine, QueueDepth } from './job-engine';
import { JobRun } from './job-run.entity';
import { JobStore } from './job-store.repository';
import { CleanupStep, JobRegistry } from './job-registry';

/**
 * The job API (src/jobs/job-api.ts) every feature uses. Definitions and cleanup steps are kept
 * here; the engine (in-process or BullMQ, chosen by REDIS_URL) runs them. Instances with
 * JOBS_ENABLED=false never start the engine: they only enqueue.
 */
@Injectable()
export class JobsService implements JobApi, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private started = false;

  constructor(
    @Inject(JOB_ENGINE) private readonly engine: JobEngine,
    private readonly store: JobStore,
    private readonly registry: JobRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  register<P>(definition: JobDefinition<P>): void {
    const def = definition as JobDefinition<unknown>;
    this.registry.add(def);
    if (this.started) void this.engine.added(def).catch((err) => this.logger.error(`could not schedule ${def.name}: ${String(err)}`));
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    return this.engine.enqueue(this.definition(name), payload, options);
  }

  status(id: string, ownerId?: string): Promise<JobStatus | null> {
    return this.engine.status(id, ownerId);
  }

  registerCleanup(name: string, step: CleanupStep): void {
    this.registry.addCleanup(name, step);
  }

  // ---- for the jobs module itself, /admin and /metrics

  definition(name: string): JobDefinition<unknown> {
    const def = this.registry.get(name);
    if (!def) throw new Error(`no job named ${name}`);
    return def;
  }

  definitions(): JobDefinition<unknown>[] {
    return this.registry.definitions();
  }

  cleanupSteps(): Array<[string, CleanupStep]> {
    return this.registry.cleanupSteps();
  }

  get engineKind(): JobEngine['kind'] {
    return this.engine.kind;
  }

  recentRuns(limit: number, job?: string): Promise<JobRun[]> {
    return this.store.recentRuns(limit, job);
  }

  queueDepth(): Promise<QueueDepth[]> {
    return this.engine.depth();
  }

  failedJobs(limit = 20): Promise<FailedJob[]> {
    return this.engine.failed(limit);
  }

  retryFailed(id: string): Promise<boolean> {
    return this.engine.retry(id);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobsEnabled) return;
    await this.engine.start();
    this.started = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop(5000);
  }
}
