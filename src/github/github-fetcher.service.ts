import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { GithubClient, GithubResponse } from './github-client';
import { GithubCacheEntry } from './github.entity';

/** How long an answer is used without asking GitHub again (the contract's lifetimes). */
export const CACHE_TTL_MS = {
  user: 60 * 60_000,
  repos: 6 * 60 * 60_000,
  events: 30 * 60_000,
  social: 24 * 60 * 60_000,
  releases: 6 * 60 * 60_000,
  ownEvents: 10 * 60_000,
} as const;

/** At most this many requests in flight per token. */
export const MAX_IN_FLIGHT = 4;
/** Share of the hourly budget left alone for the token owner's own use. */
export const RESERVE_SHARE = 0.1;
/** A `retry-after` up to this long is waited out in place; longer ones pause the token. */
const MAX_INLINE_WAIT_S = 60;

/** Which token a request spends: the user's, the server's GITHUB_TOKEN, or none (60 an hour per IP). */
export interface TokenRef {
  /** cache and budget key: `user:<id>`, `server` or `anonymous` */
  key: string;
  token: string | null;
}

export class GithubPausedError extends Error {
  constructor(readonly until: Date) {
    super(`GitHub rate limit: paused until ${until.toISOString()}`);
  }
}

export class GithubUnauthorizedError extends Error {
  constructor(readonly tokenKey: string) {
    super('GitHub rejected the token (401)');
  }
}

export type FetchResult<T> =
  | { kind: 'ok'; data: T; fresh: boolean; changed: boolean; finalUrl: string | null }
  | { kind: 'not_found' };

interface Budget {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
  pausedUntil: Date | null;
  inFlight: number;
  waiters: Array<() => void>;
}

/** Counts for the bench and the job runs: requests made, points spent, answers from the cache. */
export interface FetchStats {
  requests: number;
  points: number;
  notModified: number;
  cacheHits: number;
}

/**
 * GitHub reads through a cache keyed by URL and token owner. Within an entry's lifetime no request
 * is made; after it, `If-None-Match` with the stored ETag: a 304 refreshes the entry and costs no
 * rate limit. Every answer's `x-ratelimit-*` headers update the token's budget; the last 10 % of it
 * is left to the owner, and the token pauses there until the reset. At most 4 requests per token
 * are in flight.
 */
@Injectable()
export class GithubFetcher {
  private readonly budgets = new Map<string, Budget>();
  readonly stats: FetchStats = { requests: 0, points: 0, notModified: 0, cacheHits: 0 };

  constructor(
    private readonly client: GithubClient,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  budget(key: string): Budget {
    let b = this.budgets.get(key);
    if (!b) {
      b = { limit: null, remaining: null, resetAt: null, pausedUntil: null, inFlight: 0, waiters: [] };
      this.budgets.set(key, b);
    }
    return b;
  }

  /** The last budget GitHub reported for a token (for /settings/github). */
  rateOf(key: string): { limit: number; remaining: number; resetAt: Date } | null {
    const b = this.budgets.get(key);
    return b?.limit != null && b.remaining != null && b.resetAt ? { limit: b.limit, remaining: b.remaining, resetAt: b.resetAt } : null;
  }

  /** Throws GithubPausedError when the token is at its reserve (or told to wait) and the reset is still ahead. */
  private checkBudget(b: Budget) {
    const now = this.clock.now();
    if (b.pausedUntil && b.pausedUntil > now) throw new GithubPausedError(b.pausedUntil);
    b.pausedUntil = null;
    if (b.remaining !== null && b.limit !== null && b.resetAt) {
      if (b.resetAt <= now) {
        b.remaining = b.limit;
        return;
      }
      const reserve = Math.ceil(b.limit * RESERVE_SHARE);
      // take first, check after: requests in flight have already spent theirs
      if (b.remaining - b.inFlight <= reserve) {
        b.pausedUntil = b.resetAt;
        throw new GithubPausedError(b.resetAt);
      }
    }
  }

  private async acquire(b: Budget) {
    while (b.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => b.waiters.push(resolve));
    b.inFlight++;
  }

  private release(b: Budget) {
    b.inFlight--;
    b.waiters.shift()?.();
  }

  private async request(ref: TokenRef, path: string, etag: string | null, signal?: AbortSignal): Promise<GithubResponse> {
    const b = this.budget(ref.key);
    for (let attempt = 0; ; attempt++) {
      await this.acquire(b);
      let res: GithubResponse;
      try {
        this.checkBudget(b);
        this.stats.requests++;
        try {
          res = await this.client.get({ path, token: ref.token, etag, signal });
        } catch (err) {
          // a connection reset on a reused socket: try once more, then let the contact fail
          if (err instanceof GithubPausedError || attempt >= 1 || signal?.aborted) throw err;
          continue;
        }
      } finally {
        this.release(b);
      }
      if (res.rate) {
        b.limit = res.rate.limit;
        b.remaining = res.rate.remaining;
        b.resetAt = res.rate.resetAt;
      }
      if (res.status === 304) this.stats.notModified++;
      else if (res.status !== 401) this.stats.points++;
      if (res.status === 401 && ref.token) throw new GithubUnauthorizedError(ref.key);
      if (res.status === 403 || res.status === 429) {
        const now = this.clock.now().getTime();
        if (res.retryAfter !== null) {
          if (res.retryAfter <= MAX_INLINE_WAIT_S && attempt < 2) {
            await new Promise((resolve) => setTimeout(resolve, res.retryAfter! * 1000));
            continue;
          }
          b.pausedUntil = new Date(now + res.retryAfter * 1000);
          throw new GithubPausedError(b.pausedUntil);
        }
        if (res.rate && res.rate.remaining === 0) {
          b.pausedUntil = res.rate.resetAt;
          throw new GithubPausedError(res.rate.resetAt);
        }
      }
      return res;
    }
  }

  /**
   * A GET through the cache. `trim` keeps the fields the sync reads (what is stored and hashed).
   * `fresh` is true when GitHub was asked; `changed` when the stored body changed.
   */
  async get<T>(ref: TokenRef, path: string, ttlMs: number, trim: (raw: unknown) => T, signal?: AbortSignal): Promise<FetchResult<T>> {
    const repo = this.tx.manager.getRepository(GithubCacheEntry);
    const entry = await repo.findOne({ where: { ownerKey: ref.key, url: path } });
    const now = this.clock.now();
    if (entry && now.getTime() - new Date(entry.fetchedAt).getTime() < ttlMs) {
      this.stats.cacheHits++;
      await this.touch(entry, now);
      return { kind: 'ok', data: JSON.parse(entry.body) as T, fresh: false, changed: false, finalUrl: null };
    }
    const res = await this.request(ref, path, entry?.etag ?? null, signal);
    if (res.status === 304 && entry) {
      await this.tx.run((m) => m.getRepository(GithubCacheEntry).update({ id: entry.id }, { fetchedAt: now, usedAt: now }));
      return { kind: 'ok', data: JSON.parse(entry.body) as T, fresh: true, changed: false, finalUrl: null };
    }
    if (res.status === 404 || res.status === 410) return { kind: 'not_found' };
    if (res.status < 200 || res.status >= 300) throw new Error(`GitHub answered ${res.status} for a ${path.split('?')[0]!.split('/').slice(0, 2).join('/')} read`);
    const data = trim(res.data);
    const body = JSON.stringify(data);
    const bodyHash = createHash('sha256').update(body).digest('hex');
    await this.tx.run(async (m) => {
      const r = m.getRepository(GithubCacheEntry);
      if (entry) await r.update({ id: entry.id }, { etag: res.etag, body, bodyHash, fetchedAt: now, usedAt: now });
      else await r.createQueryBuilder().insert().values({ id: randomUUID(), ownerKey: ref.key, url: path, etag: res.etag, body, bodyHash, fetchedAt: now, usedAt: now }).orIgnore().execute();
    });
    return { kind: 'ok', data, fresh: true, changed: !entry || entry.bodyHash !== bodyHash, finalUrl: res.finalUrl };
  }

  /** `used_at` drives the 30-day cleanup; written at most once an hour per entry. */
  private async touch(entry: GithubCacheEntry, now: Date) {
    if (now.getTime() - new Date(entry.usedAt).getTime() < 60 * 60_000) return;
    await this.tx.run((m) => m.getRepository(GithubCacheEntry).update({ id: entry.id }, { usedAt: now }));
  }

  /** Cleanup step: entries nobody read for 30 days. */
  async deleteUnused(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - 30 * 86_400_000);
    let total = 0;
    for (;;) {
      const ids = (await this.tx.manager.getRepository(GithubCacheEntry).find({ where: { usedAt: LessThan(cutoff) }, select: { id: true }, take: 500 })).map((r) => r.id);
      if (!ids.length) return total;
      await this.tx.run((m) => m.getRepository(GithubCacheEntry).delete(ids));
      total += ids.length;
    }
  }
}
