import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { JobApi, JobStatus } from '../jobs/job-api';
import { ContactsService } from '../contacts/contacts.service';
import { GithubNotFoundError } from './github.errors';
import { GithubFetcher } from './github-fetcher.service';
import { GithubSyncService, SyncCounts } from './github-sync.service';
import { InsightsService } from './insights.service';

/** The jobs engine as the GitHub module sees it: the jobs module's JobsService (a token, so tests may swap it). */
export const GITHUB_JOB_API = Symbol('GITHUB_JOB_API');

export const SYNC_JOB = 'sync-github-activity';
export const SYNC_NOW_JOB = 'sync-github-now';

export interface SyncNowPayload {
  contactId?: string;
}

export interface SyncJobView {
  id: string;
  state: JobStatus['state'];
  counts: Record<string, number>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * The GitHub sync's jobs: the scheduled `sync-github-activity` (every 10 minutes), the on-demand
 * "sync now" (POST /api/sync, POST /api/contacts/:id/sync, the buttons), and the cleanup steps.
 * Requests only enqueue; the work runs on the devhub-sync queue.
 */
@Injectable()
export class GithubJobsService implements OnModuleInit {
  constructor(
    @Inject(GITHUB_JOB_API) private readonly jobs: JobApi,
    private readonly sync: GithubSyncService,
    private readonly fetcher: GithubFetcher,
    private readonly insights: InsightsService,
    private readonly contacts: ContactsService,
  ) {}

  onModuleInit() {
    this.jobs.register({
      name: SYNC_JOB,
      queue: 'devhub-sync',
      schedule: { everyMs: 10 * 60_000 },
      timeoutMs: 9 * 60_000,
      attempts: 1,
      handler: async (ctx) => ({ ...(await this.sync.runScheduled(ctx.signal)) }),
    });
    this.jobs.register<SyncNowPayload>({
      name: SYNC_NOW_JOB,
      queue: 'devhub-sync',
      timeoutMs: 15 * 60_000,
      attempts: 2,
      handler: async (ctx) => {
        if (!ctx.ownerId) return {};
        const counts = await this.sync.syncUser(ctx.ownerId, { mode: 'now', contactId: ctx.payload?.contactId, signal: ctx.signal, progress: (c: SyncCounts) => ctx.progress({ ...c }) });
        return { ...counts };
      },
    });
    this.jobs.registerCleanup('github-cache', (now) => this.fetcher.deleteUnused(now));
    this.jobs.registerCleanup('github-insights', (now) => this.insights.deleteOldAcknowledged(now));
  }

  private api(): JobApi {
    return this.jobs;
  }

  /** Queues a sync of the user's due contacts (or one contact); a second request while it is queued gets the same job. */
  async enqueue(userId: string, contactId?: string): Promise<{ id: string; deduplicated: boolean }> {
    return this.api().enqueue<SyncNowPayload>(SYNC_NOW_JOB, contactId ? { contactId } : {}, { ownerId: userId, dedupeKey: `github-sync:${userId}:${contactId ?? 'all'}` });
  }

  /**
   * What POST /api/sync and POST /api/contacts/:id/sync answer (202): the queued job. A contact
   * that is not the user's (or has no GitHub username) is a 404.
   */
  async accept(userId: string, contactId?: string): Promise<{ id: string; state: JobStatus['state']; deduplicated: boolean }> {
    if (contactId) {
      const c = await this.contacts.get(userId, contactId);
      if (!c.githubUsername) throw new GithubNotFoundError('GitHub username of this contact');
    }
    const job = await this.enqueue(userId, contactId);
    const s = await this.api().status(job.id, userId);
    return { id: job.id, state: s?.state ?? 'queued', deduplicated: job.deduplicated };
  }

  async status(userId: string, id: string): Promise<SyncJobView> {
    const s = typeof id === 'string' && id.length <= 100 ? await this.api().status(id, userId) : null;
    if (!s || (s.name !== SYNC_NOW_JOB && s.name !== SYNC_JOB)) throw new GithubNotFoundError('Sync job');
    return {
      id: s.id,
      state: s.state,
      counts: s.counts,
      error: s.error,
      createdAt: new Date(s.createdAt).toISOString(),
      startedAt: s.startedAt ? new Date(s.startedAt).toISOString() : null,
      finishedAt: s.finishedAt ? new Date(s.finishedAt).toISOString() : null,
    };
  }
}
