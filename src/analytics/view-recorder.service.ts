import { hash, randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { PublicProfile } from '../profiles/public-profile.entity';
import { isBotUserAgent, isPrefetch } from './bot-detector';
import { dayKey } from './day-key';
import { VisitorHasher } from './visitor-hasher.service';
import { SentryReporter } from '../common/errors/sentry-reporter';

export interface ViewInput {
  profileId: string;
  ownerId: string;
  ownerTimezone: string;
  /** the signed-in DevHub user looking at the page, if any */
  viewerUserId: string | null;
  ip: string;
  userAgent: string | undefined;
  referrer: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export type ViewOutcome = 'counted' | 'bot' | 'owner' | 'repeat' | 'dropped';

interface PendingView {
  profileId: string;
  ip: string;
  userAgent: string;
  referrer: string | null;
  day: string;
  at: Date;
}

/** One visitor counts once per profile in this window. */
export const REPEAT_WINDOW_MS = 30 * 60_000;
/** Buffered views are written at least this often… */
export const FLUSH_INTERVAL_MS = 2_000;
/** …and as soon as this many are waiting. */
export const FLUSH_BATCH = 500;
/** Never hold more than this in memory; past it new views are dropped (and logged) until a flush succeeds. */
export const MAX_BUFFER = 10_000;
const MAX_VISITORS_TRACKED = 200_000;
const INSERT_CHUNK = 100;

/**
 * Counts profile page views without slowing the page down: `record` decides in memory whether a
 * request is a view (not a bot, not a prefetch, not the owner, not a repeat within 30 minutes) and
 * buffers it; a timer writes the buffer in one transaction every 2 s, or sooner when 500 are
 * waiting, and moves `public_profiles.view_count` in the same transaction.
 *
 * Crash bound: views still in the buffer are lost if the process dies: at most the last 2 s of
 * views (plus a flush in flight), and never more than MAX_BUFFER (10,000). A graceful shutdown
 * (SIGTERM) flushes before the database closes. Repeat detection is per instance and in memory,
 * so a restart, or a visitor load-balanced across instances, can count one extra view.
 */
@Injectable()
export class ViewRecorder implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('ProfileViews');
  private buffer: PendingView[] = [];
  /** visitor+profile key → time last counted; Map order = counting order, so pruning reads from the front */
  private readonly lastCounted = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> = Promise.resolve(0);
  private dropped = 0;

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly hasher: VisitorHasher,
    private readonly errors: SentryReporter,
  ) {}

  onModuleInit() {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async beforeApplicationShutdown() {
    this.onModuleDestroy();
    await this.flush().catch((err) => this.logger.error(`could not write ${this.buffer.length} buffered views at shutdown: ${err.message}`));
  }

  get pending(): number {
    return this.buffer.length;
  }

  record(input: ViewInput): ViewOutcome {
    if (isBotUserAgent(input.userAgent) || isPrefetch(input.headers)) return 'bot';
    if (input.viewerUserId && input.viewerUserId === input.ownerId) return 'owner';
    const now = this.clock.now();
    const t = now.getTime();
    // in memory only; never stored
    const key = hash('sha1', `${input.profileId}\u0000${input.ip}\u0000${input.userAgent}`, 'base64url');
    const last = this.lastCounted.get(key);
    if (last !== undefined && t - last < REPEAT_WINDOW_MS && t >= last) return 'repeat';
    if (this.buffer.length >= MAX_BUFFER) {
      if (this.dropped++ % 1000 === 0) this.logger.warn(`view buffer full (${MAX_BUFFER}); dropping views until the database catches up`);
      return 'dropped';
    }
    this.lastCounted.delete(key);
    this.lastCounted.set(key, t);
    this.pruneVisitors(t);
    this.buffer.push({
      profileId: input.profileId,
      ip: input.ip,
      userAgent: input.userAgent!,
      referrer: referrerHost(input.referrer),
      day: dayKey(now, input.ownerTimezone),
      at: now,
    });
    if (this.buffer.length >= FLUSH_BATCH) void this.flush().catch(() => undefined);
    return 'counted';
  }

  /** Writes everything buffered so far; resolves with the number of views written. */
  flush(): Promise<number> {
    this.flushing = this.flushing.catch(() => 0).then(() => this.writeBuffer());
    return this.flushing;
  }

  private async writeBuffer(): Promise<number> {
    if (!this.buffer.length) return 0;
    const batch = this.buffer;
    this.buffer = [];
    try {
      const salt = await this.hasher.salt();
      const rows = batch.map((v) => ({
        id: randomUUID(),
        profileId: v.profileId,
        viewerId: VisitorHasher.hash(salt, v.ip, v.userAgent),
        ipAddress: VisitorHasher.hash(salt, v.ip),
        referrer: v.referrer,
        day: v.day,
        createdAt: v.at,
      }));
      const perProfile = new Map<string, number>();
      for (const v of batch) perProfile.set(v.profileId, (perProfile.get(v.profileId) ?? 0) + 1);
      await this.tx.run(async (m) => {
        // a profile deleted since the view was recorded takes its views with it
        const ids = [...perProfile.keys()];
        const existing = new Set<string>(
          (await m.createQueryBuilder().select('p.id', 'id').from('public_profiles', 'p').where('p.id IN (:...ids)', { ids }).getRawMany()).map(
            (r: { id: string }) => r.id,
          ),
        );
        const live = rows.filter((r) => existing.has(r.profileId));
        for (let i = 0; i < live.length; i += INSERT_CHUNK) await insertViews(m, live.slice(i, i + INSERT_CHUNK));
        for (const [profileId, n] of perProfile) {
          if (!existing.has(profileId)) continue;
          await m
            .createQueryBuilder()
            .update(PublicProfile)
            .set({ viewCount: () => `view_count + ${Number(n)}` })
            .where('id = :profileId', { profileId })
            .execute();
        }
      });
      return batch.length;
    } catch (err) {
      // keep them for the next attempt, within the memory bound
      this.buffer = batch.concat(this.buffer).slice(0, MAX_BUFFER);
      this.logger.error(`could not write ${batch.length} profile views: ${(err as Error).message}`);
      this.errors.report(err, { tags: { job: 'profile-views' } });
      throw err;
    }
  }

  private pruneVisitors(now: number) {
    for (const [key, at] of this.lastCounted) {
      if (now - at < REPEAT_WINDOW_MS && this.lastCounted.size <= MAX_VISITORS_TRACKED) break;
      this.lastCounted.delete(key);
    }
  }
}

type ViewRow = { id: string; profileId: string; viewerId: string; ipAddress: string; referrer: string | null; day: string; createdAt: Date };

/**
 * One multi-row INSERT with positional parameters (the query builder costs more than the write at
 * thousands of views a second). Timestamps are written the way TypeORM writes them on each driver.
 */
async function insertViews(m: EntityManager, rows: ViewRow[]): Promise<void> {
  const pg = m.connection.options.type === 'postgres';
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    const base = params.length;
    params.push(r.id, r.profileId, r.viewerId, r.ipAddress, r.referrer, r.day, pg ? r.createdAt : r.createdAt.toISOString().replace('T', ' ').replace('Z', ''));
    return `(${Array.from({ length: 7 }, (_, k) => (pg ? `$${base + k + 1}` : '?')).join(', ')})`;
  });
  await m.query(`INSERT INTO profile_views (id, profile_id, viewer_id, ip_address, referrer, day, created_at) VALUES ${tuples.join(', ')}`, params);
}

/** Only the host of the referring page is kept ("news.ycombinator.com"), never its path or query. */
export function referrerHost(referrer: string | undefined): string | null {
  if (!referrer) return null;
  try {
    const u = new URL(referrer);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.hostname.toLowerCase().replace(/^www\./, '').slice(0, 255) || null;
  } catch {
    return null;
  }
}
