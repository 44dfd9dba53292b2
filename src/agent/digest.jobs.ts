import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import type { JobApi } from '../jobs/job-api';
import { JobRunner } from '../jobs/job-runner.service';
import { DigestService, DigestView } from './digest.service';

/** The jobs engine (JobsService) as the digest sees it; bound in AgentModule when the engine is there. */
export const DIGEST_JOB_API = Symbol('DIGEST_JOB_API');

export const RUN_DAILY_AGENT = 'run-daily-agent';
export const BUILD_DIGEST = 'build-digest';
export const DAILY_EVERY_MS = 15 * 60_000;

/**
 * run-daily-agent (queue devhub-agent, every 15 minutes) and the on-demand "build my digest now".
 * With the jobs engine both are registered jobs; without it the schedule runs in-process under a
 * database lease and "build now" builds at once.
 */
@Injectable()
export class DigestJobs implements OnModuleInit {
  constructor(
    private readonly digest: DigestService,
    private readonly runner: JobRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(DIGEST_JOB_API) private readonly jobs?: JobApi,
  ) {}

  onModuleInit(): void {
    if (!this.jobs) return;
    this.jobs.register({
      name: RUN_DAILY_AGENT,
      queue: 'devhub-agent',
      schedule: { everyMs: DAILY_EVERY_MS },
      timeoutMs: DAILY_EVERY_MS - 60_000,
      attempts: 1,
      handler: async (ctx) => this.digest.runDaily(undefined, ctx.signal),
    });
    this.jobs.register<Record<string, never>>({
      name: BUILD_DIGEST,
      queue: 'devhub-agent',
      timeoutMs: this.config.openai.timeoutMs + 60_000,
      attempts: 2,
      handler: async (ctx) => {
        const { created, view } = await this.digest.buildForUserId(ctx.ownerId!);
        return { built: created ? 1 : 0, priorities: view.priorities.length };
      },
    });
  }

  /** Without the jobs engine: the quarter-hour schedule, once across instances (lease). */
  @Cron('*/15 * * * *', { name: RUN_DAILY_AGENT })
  async scheduled(): Promise<void> {
    if (this.jobs || !this.config.jobsEnabled) return;
    await this.runner.run(RUN_DAILY_AGENT, async () => this.digest.runDaily(), DAILY_EVERY_MS);
  }

  /** Today's digest when it exists; otherwise a queued build's job id (or, without the engine, the digest built now). */
  async requestBuild(userId: string, timeZone: string): Promise<{ digest: DigestView } | { jobId: string }> {
    const today = await this.digest.today(userId, timeZone);
    if (today) return { digest: today };
    if (this.jobs) {
      const job = await this.jobs.enqueue(BUILD_DIGEST, {}, { ownerId: userId, dedupeKey: `${BUILD_DIGEST}:${userId}` });
      return { jobId: job.id };
    }
    return { digest: (await this.digest.buildForUserId(userId)).view };
  }
}
