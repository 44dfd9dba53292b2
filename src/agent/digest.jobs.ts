import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { JobsService } from '../jobs/jobs.service';
import { DigestService, DigestView } from './digest.service';

export const RUN_DAILY_AGENT = 'run-daily-agent';
export const BUILD_DIGEST = 'build-digest';
export const DAILY_EVERY_MS = 15 * 60_000;

/** run-daily-agent (queue devhub-agent, every 15 minutes), the on-demand "build my digest now", and a cleanup step. */
@Injectable()
export class DigestJobs implements OnModuleInit {
  constructor(
    private readonly digest: DigestService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
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
    this.jobs.registerCleanup('digest-model-cache', (now) => this.digest.purgeOld(now));
  }

  /** Today's digest when it exists; otherwise the id of a queued build (a second request gets the same job). */
  async requestBuild(userId: string, timeZone: string): Promise<{ digest: DigestView } | { jobId: string }> {
    const today = await this.digest.today(userId, timeZone);
    if (today) return { digest: today };
    const job = await this.jobs.enqueue(BUILD_DIGEST, {}, { ownerId: userId, dedupeKey: `${BUILD_DIGEST}:${userId}` });
    return { jobId: job.id };
  }

  /** True while the user's build job is queued or running. */
  async pending(jobId: string, userId: string): Promise<boolean> {
    const s = await this.jobs.status(jobId, userId);
    return Boolean(s && (s.state === 'queued' || s.state === 'running'));
  }
}
