import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { GithubTokensService } from '../auth/github-tokens.service';
import type { Plan } from '../auth/user.entity';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { yieldToEventLoop } from '../common/event-loop';
import { SentryReporter } from '../common/errors/sentry-reporter';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import type { GithubCandidate } from '../contacts/contacts.repository';
import { ContactsService } from '../contacts/contacts.service';
import { InteractionsService } from '../contacts/interactions.service';
import { TransactionService } from '../database/transaction.service';
import { NotificationsService } from '../notifications/notifications.service';
import { Conversation, fromContactEvents, fromOwnEvents } from './conversations';
import { GithubClient } from './github-client';
import { CACHE_TTL_MS, GithubFetcher, GithubPausedError, GithubUnauthorizedError, TokenRef } from './github-fetcher.service';
import { GithubConnection, GithubProfile } from './github.entity';
import { InsightsService } from './insights.service';
import {
  activityScore,
  factsBetween,
  releaseCandidates,
  Snapshot,
  trimEvents,
  TrimmedEvent,
  TrimmedRelease,
  trimReleases,
  trimRepos,
  trimSocial,
  trimUser,
} from './snapshot';

const DAY_MS = 86_400_000;
const SLOT_MS = 10 * 60_000;
/** Free accounts: contacts refreshed per day. */
export const FREE_CONTACTS_PER_DAY = 10;
const PREMIUM_INTERVAL_MS = 30 * 60_000;
/** A few minutes of slack so a contact synced at 09:02 is due again in the 09:00 slot of the next period. */
const SLACK_MS = 5 * 60_000;
/** Contacts whose username GitHub does not know are tried again weekly (someone may take the name). */
const NOT_FOUND_RETRY_MS = 7 * DAY_MS;
/** Users synced side by side in a scheduled run (each user's own token allows 4 requests in flight). */
const USERS_IN_PARALLEL = 8;

export interface SyncCounts {
  contacts: number;
  insights: number;
  interactions: number;
  notFound: number;
  renamed: number;
  deferred: number;
  failed: number;
}

/** Like Promise.all, but waits for every read to settle before failing: none is left writing after the contact's sync ended. */
async function all<T extends readonly unknown[]>(work: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(work as readonly Promise<unknown>[]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A non-VIP contact met the unauthenticated fallback mid-sync: it waits for a token. */
class NotVipError extends Error {}

const zero = (): SyncCounts => ({ contacts: 0, insights: 0, interactions: 0, notFound: 0, renamed: 0, deferred: 0, failed: 0 });
const add = (a: SyncCounts, b: SyncCounts) => {
  for (const k of Object.keys(a) as Array<keyof SyncCounts>) a[k] += b[k];
  return a;
};

export type SyncMode = 'scheduled' | 'now';

interface UserContext {
  userId: string;
  plan: Plan;
  /** the user's own GitHub login (for conversations), lower-cased */
  login: string | null;
  ref: TokenRef;
  /** only VIPs: unauthenticated calls (60 an hour) */
  vipOnly: boolean;
  /** user token rejected during this run: the rest uses the fallback */
  fallback: () => Promise<boolean>;
  timelineEnabled: boolean;
  conversations: Conversation[];
}

/**
 * The GitHub sync: picks which contacts are due (by plan, VIPs and recently active ones first),
 * reads them through the cache, records insights and the activity score, and logs GitHub
 * conversations between the user and their contacts on the timeline. GitHub is only called from
 * here, i.e. from jobs, never from a page or API request.
 */
@Injectable()
export class GithubSyncService {
  private readonly logger = new Logger('GithubSync');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly fetcher: GithubFetcher,
    private readonly client: GithubClient,
    private readonly users: UsersService,
    private readonly tokens: GithubTokensService,
    private readonly contacts: ContactsService,
    private readonly interactions: InteractionsService,
    private readonly insights: InsightsService,
    private readonly notifications: NotificationsService,
    private readonly sentry: SentryReporter,
    private readonly clock: Clock,
  ) {}

  // ---- connection state -------------------------------------------------------------------

  async connection(userId: string): Promise<GithubConnection> {
    const row = await this.tx.manager.getRepository(GithubConnection).findOne({ where: { userId } });
    return row ?? { userId, brokenAt: null, brokenReason: null, timelineEnabled: true, rateLimit: null, rateRemaining: null, rateResetAt: null, lastSyncAt: null };
  }

  /** Creates the row if missing (concurrent callers may race: the insert is ignored then), then updates it. */
  private async ensureConnection(m: EntityManager, userId: string) {
    const defaults = { userId, brokenAt: null, brokenReason: null, timelineEnabled: true, rateLimit: null, rateRemaining: null, rateResetAt: null, lastSyncAt: null };
    await m.createQueryBuilder().insert().into(GithubConnection).values(defaults).orIgnore().execute();
  }

  private async saveConnection(userId: string, patch: Partial<GithubConnection>) {
    await this.tx.run(async (m) => {
      await this.ensureConnection(m, userId);
      await m.getRepository(GithubConnection).update({ userId }, patch);
    });
  }

  setTimeline(userId: string, enabled: boolean) {
    return this.saveConnection(userId, { timelineEnabled: enabled });
  }

  /** Disconnect: the token pair is deleted; the broken flag and budget go with it. */
  async disconnect(userId: string) {
    await this.tokens.clear(userId);
    await this.saveConnection(userId, { brokenAt: null, brokenReason: null, rateLimit: null, rateRemaining: null, rateResetAt: null });
  }

  /** After a (re)connect through OAuth: a working token again. */
  async markConnected(userId: string) {
    await this.saveConnection(userId, { brokenAt: null, brokenReason: null });
  }

  /** Take first, check after: only the call that flips the flag notifies, and in the same transaction. */
  private async markBroken(userId: string, reason: string) {
    await this.tx.run(async (m) => {
      await this.ensureConnection(m, userId);
      const res = await m.getRepository(GithubConnection).update({ userId, brokenAt: IsNull() }, { brokenAt: this.clock.now(), brokenReason: reason });
      if (!res.affected) return;
      await this.notifications.notify(
        userId,
        {
          type: 'github.broken',
          title: 'GitHub connection needs attention',
          body: `${reason} DevHub syncs your contacts with the server's token or without one (VIPs only) until you connect GitHub again.`,
          link: '/settings/github',
        },
        m,
      );
    });
  }

  // ---- tokens ---------------------------------------------------------------------------------

  private fallbackRef(): { ref: TokenRef; vipOnly: boolean } {
    if (this.config.github.token) return { ref: { key: 'server', token: this.config.github.token }, vipOnly: false };
    return { ref: { key: 'anonymous', token: null }, vipOnly: true };
  }

  /** The user's token (refreshed first when it is about to expire), else GITHUB_TOKEN, else none. */
  private async tokenFor(userId: string): Promise<{ ref: TokenRef; vipOnly: boolean; own: boolean }> {
    const conn = await this.connection(userId);
    let pair = conn.brokenAt ? null : await this.tokens.get(userId).catch(() => null);
    if (pair?.expiresAt && pair.expiresAt.getTime() - 5 * 60_000 <= this.clock.now().getTime()) {
      const refreshed = pair.refreshToken ? await this.client.refreshToken(pair.refreshToken).catch(() => null) : null;
      if (!refreshed) {
        await this.markBroken(userId, 'Your GitHub token expired and could not be renewed.');
        pair = null;
      } else {
        pair = {
          accessToken: refreshed.accessToken,
          refreshToken: refreshed.refreshToken ?? pair.refreshToken,
          expiresAt: refreshed.expiresIn ? new Date(this.clock.now().getTime() + refreshed.expiresIn * 1000) : null,
        };
        await this.tokens.replace(userId, pair);
      }
    }
    if (pair) return { ref: { key: `user:${userId}`, token: pair.accessToken }, vipOnly: false, own: true };
    return { ...this.fallbackRef(), own: false };
  }

  private async userContext(userId: string): Promise<UserContext | null> {
    const user = await this.users.findById(userId);
    if (!user) return null;
    const conn = await this.connection(userId);
    const t = await this.tokenFor(userId);
    const ctx: UserContext = {
      userId,
      plan: user.plan,
      login: t.own && user.githubLogin ? user.githubLogin.toLowerCase() : null,
      ref: t.ref,
      vipOnly: t.vipOnly,
      timelineEnabled: conn.timelineEnabled,
      conversations: [],
      fallback: async () => {
        if (!ctx.ref.key.startsWith('user:')) return false;
        await this.markBroken(userId, 'GitHub rejected your token (it was revoked or expired).');
        const f = this.fallbackRef();
        ctx.ref = f.ref;
        ctx.vipOnly = f.vipOnly;
        ctx.login = null;
        return true;
      },
    };
    return ctx;
  }

  // ---- which contacts -------------------------------------------------------------------------

  /**
   * The contacts to refresh now, in order: VIPs, then contacts with an interaction in the last 30
   * days or an open follow-up, then the least recently synced. Free: 10 contacts a UTC day; pro:
   * each contact once a day; premium: each every 30 minutes. A scheduled run takes its share of the
   * day's remaining work (spread over the 10-minute slots left); "sync now" takes all that is due.
   */
  async dueContacts(userId: string, plan: Plan, mode: SyncMode, vipOnly = false): Promise<GithubCandidate[]> {
    const now = this.clock.now().getTime();
    const candidates = (await this.contacts.githubCandidates(userId)).filter((c) => !vipOnly || c.isVip);
    if (!candidates.length) return [];
    const profiles = new Map(
      (await this.tx.manager.getRepository(GithubProfile).find({ where: { userId }, select: { contactId: true, syncedAt: true, status: true, login: true } })).map((p) => [p.contactId, p]),
    );
    const syncedAt = (c: GithubCandidate) => {
      const p = profiles.get(c.id);
      // a changed username is a new account to read
      if (!p?.syncedAt || p.login.toLowerCase() !== c.githubUsername.toLowerCase()) return null;
      return new Date(p.syncedAt).getTime();
    };
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
    const interval = plan === 'premium' ? PREMIUM_INTERVAL_MS : DAY_MS;
    const due = candidates.filter((c) => {
      const at = syncedAt(c);
      if (at === null) return true;
      if (profiles.get(c.id)?.status === 'not_found') return now - at >= NOT_FOUND_RETRY_MS;
      if (plan === 'free') return at < dayStart;
      return now - at >= interval - SLACK_MS;
    });
    const recent = (c: GithubCandidate) => c.hasOpenFollowUp || (c.lastInteractionAt !== null && now - c.lastInteractionAt.getTime() <= 30 * DAY_MS);
    due.sort((a, b) => Number(b.isVip) - Number(a.isVip) || Number(recent(b)) - Number(recent(a)) || (syncedAt(a) ?? -1) - (syncedAt(b) ?? -1) || a.id.localeCompare(b.id));
    let take = due.length;
    if (plan === 'free') {
      const today = candidates.filter((c) => (syncedAt(c) ?? 0) >= dayStart).length;
      take = Math.max(0, FREE_CONTACTS_PER_DAY - today);
    }
    if (mode === 'scheduled' && plan !== 'premium') {
      const slotsLeft = Math.max(1, Math.ceil((dayStart + DAY_MS - now) / SLOT_MS));
      take = Math.min(take, Math.ceil(Math.min(take, due.length) / slotsLeft));
    }
    return due.slice(0, take);
  }

  // ---- running ----------------------------------------------------------------------------------

  /** The scheduled run (every 10 minutes): each user's share of due contacts. */
  async runScheduled(signal?: AbortSignal): Promise<SyncCounts> {
    const userIds = await this.contacts.usersWithGithubContacts();
    const total = zero();
    let next = 0;
    const worker = async () => {
      while (next < userIds.length && !signal?.aborted) {
        const userId = userIds[next++]!;
        try {
          add(total, await this.syncUser(userId, { mode: 'scheduled', signal }));
        } catch (err) {
          total.failed++;
          this.sentry.report(err, { tags: { job: 'sync-github-activity' } });
          this.logger.warn(`GitHub sync of a user failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(USERS_IN_PARALLEL, userIds.length) }, worker));
    return total;
  }

  /**
   * Syncs one user's due contacts (`mode: 'now'`: everything due under their plan), or one contact
   * (`contactId`: due or not, still within the free plan's daily ten), then their conversations.
   */
  async syncUser(userId: string, opts: { mode: SyncMode; contactId?: string; signal?: AbortSignal; progress?: (c: SyncCounts) => Promise<void> | void }): Promise<SyncCounts> {
    const counts = zero();
    const ctx = await this.userContext(userId);
    if (!ctx) return counts;
    let batch: GithubCandidate[];
    if (opts.contactId) {
      const all = await this.contacts.githubCandidates(userId);
      const one = all.find((c) => c.id === opts.contactId);
      const allowed = ctx.plan !== 'free' || (await this.dueContacts(userId, ctx.plan, 'now', ctx.vipOnly)).length > 0 || (await this.syncedToday(userId, one?.id));
      batch = one && allowed && (!ctx.vipOnly || one.isVip) ? [one] : [];
      if (one && !batch.length) counts.deferred++;
    } else {
      batch = await this.dueContacts(userId, ctx.plan, opts.mode, ctx.vipOnly);
    }
    let pausedUntil: Date | null = null;
    let i = 0;
    const worker = async () => {
      while (i < batch.length && !pausedUntil && !opts.signal?.aborted) {
        const c = batch[i++]!;
        // the user's token was rejected during this run: unauthenticated calls are for VIPs only
        if (ctx.vipOnly && !c.isVip) {
          counts.deferred++;
          continue;
        }
        try {
          add(counts, await this.syncContact(ctx, c));
        } catch (err) {
          if (err instanceof NotVipError) counts.deferred++;
          else if (err instanceof GithubPausedError) {
            pausedUntil = err.until;
            counts.deferred++;
          } else {
            counts.failed++;
            this.logger.warn(`GitHub sync of a contact failed: ${(err as Error).message}`);
          }
        }
        await opts.progress?.(counts);
        await yieldToEventLoop();
      }
    };
    // the fetcher keeps each token at 4 requests in flight; three contacts at a time keep it busy
    await Promise.all([worker(), worker(), worker()]);
    counts.deferred += batch.length - i;
    if (!pausedUntil) {
      try {
        counts.interactions += await this.syncConversations(ctx);
      } catch (err) {
        if (!(err instanceof GithubPausedError)) this.logger.warn(`GitHub conversations sync failed: ${(err as Error).message}`);
      }
    }
    const rate = this.fetcher.rateOf(ctx.ref.key);
    await this.saveConnection(userId, {
      lastSyncAt: this.clock.now(),
      ...(ctx.ref.key.startsWith('user:') && rate ? { rateLimit: rate.limit, rateRemaining: rate.remaining, rateResetAt: rate.resetAt } : {}),
    });
    return counts;
  }

  private async syncedToday(userId: string, contactId?: string): Promise<boolean> {
    if (!contactId) return false;
    const p = await this.tx.manager.getRepository(GithubProfile).findOne({ where: { contactId, userId } });
    return Boolean(p?.syncedAt && new Date(p.syncedAt).getTime() >= Math.floor(this.clock.now().getTime() / DAY_MS) * DAY_MS);
  }

  /** A read with the user's context: a rejected user token switches to the fallback and retries once. */
  private async read<T>(ctx: UserContext, path: string, ttl: number, trim: (raw: unknown) => T, vip = true) {
    try {
      return await this.fetcher.get(ctx.ref, path, ttl, trim);
    } catch (err) {
      if (err instanceof GithubUnauthorizedError && (await ctx.fallback())) {
        if (ctx.vipOnly && !vip) throw new NotVipError();
        return this.fetcher.get(ctx.ref, path, ttl, trim);
      }
      throw err;
    }
  }

  /** Reads one contact's five resources, compares with the stored snapshot, and writes the result. */
  async syncContact(ctx: UserContext, c: GithubCandidate): Promise<SyncCounts> {
    const counts = zero();
    const now = this.clock.now();
    const requested = c.githubUsername;
    const u = encodeURIComponent(requested);
    const userRes = await this.read(ctx, `/users/${u}`, CACHE_TTL_MS.user, trimUser, c.isVip);
    const profileRepo = this.tx.manager.getRepository(GithubProfile);
    const stored = await profileRepo.findOne({ where: { contactId: c.id, userId: ctx.userId } });
    if (userRes.kind === 'not_found') {
      await this.tx.run((m) => this.saveProfile(m, { contactId: c.id, userId: ctx.userId, login: requested, githubId: stored?.githubId ?? null, status: 'not_found', snapshot: stored?.snapshot ?? '{}', lastEventAt: stored?.lastEventAt ?? null, syncedAt: now }));
      counts.notFound++;
      counts.contacts++;
      return counts;
    }
    const user = userRes.data;
    // a renamed account: GitHub answered (through its 301) with another login; follow it
    const login = user.login || requested;
    const renamed = login.toLowerCase() !== requested.toLowerCase();
    const l = encodeURIComponent(login);
    const [reposRes, eventsRes, socialRes] = await all([
      this.read(ctx, `/users/${l}/repos?sort=updated`, CACHE_TTL_MS.repos, trimRepos, c.isVip),
      this.read(ctx, `/users/${l}/events/public`, CACHE_TTL_MS.events, trimEvents, c.isVip),
      this.read(ctx, `/users/${l}/social_accounts`, CACHE_TTL_MS.social, trimSocial, c.isVip),
    ]);
    const repos = reposRes.kind === 'ok' ? reposRes.data : [];
    const events = eventsRes.kind === 'ok' ? eventsRes.data : [];
    const social = socialRes.kind === 'ok' ? socialRes.data : [];
    const own = repos.filter((r) => r.fullName.toLowerCase().startsWith(`${login.toLowerCase()}/`));
    const releases: Record<string, TrimmedRelease[]> = {};
    await all(
      releaseCandidates(own, now).map(async (r) => {
        const res = await this.read(ctx, `/repos/${r.fullName.split('/').map(encodeURIComponent).join('/')}/releases?per_page=5`, CACHE_TTL_MS.releases, trimReleases);
        if (res.kind === 'ok') releases[r.fullName] = res.data;
      }),
    );
    let prev: Snapshot | null = null;
    if (stored && stored.status === 'ok' && stored.syncedAt && (stored.githubId === String(user.id) || stored.login.toLowerCase() === login.toLowerCase())) {
      try {
        prev = JSON.parse(stored.snapshot) as Snapshot;
        if (!prev?.user) prev = null;
      } catch {
        prev = null;
      }
    }
    const newest = events.map((e) => e.createdAt).sort().at(-1) ?? null;
    const lastEventAt = [newest, prev?.lastEventAt ?? null].filter((x): x is string => Boolean(x)).sort().at(-1) ?? null;
    const knownReleases: Record<string, number[]> = { ...(prev?.releases ?? {}) };
    for (const [repo, list] of Object.entries(releases)) knownReleases[repo] = [...new Set([...(knownReleases[repo] ?? []), ...list.map((r) => r.id)])].slice(-50);
    const next: Snapshot = {
      takenAt: now.toISOString(),
      user,
      repos: own.slice(0, 100),
      releases: knownReleases,
      social,
      lastEventAt,
      activityScore: activityScore(events, now),
    };
    const facts = factsBetween(prev, next, { events, releases }, c.name);
    await this.tx.run(async (m) => {
      await this.saveProfile(m, { contactId: c.id, userId: ctx.userId, login, githubId: String(user.id), status: 'ok', snapshot: JSON.stringify(next), lastEventAt: lastEventAt ? new Date(lastEventAt) : null, syncedAt: now });
      await this.contacts.setActivityScore(m, ctx.userId, c.id, next.activityScore);
      counts.insights += (await this.insights.record(m, ctx.userId, c.id, facts)).length;
    });
    if (renamed) {
      await this.contacts.update(ctx.userId, c.id, { githubUsername: login }).catch((err: Error) => this.logger.warn(`Could not follow a renamed GitHub account: ${err.message}`));
      counts.renamed++;
    }
    if (ctx.login && ctx.timelineEnabled) ctx.conversations.push(...fromContactEvents(events, ctx.login, { id: c.id, name: c.name }));
    counts.contacts++;
    return counts;
  }

  /** An upsert: a scheduled run and a "sync now" may refresh the same contact at once. */
  private async saveProfile(m: EntityManager, row: GithubProfile) {
    await m.createQueryBuilder().insert().into(GithubProfile).values(row).orUpdate(['user_id', 'login', 'github_id', 'status', 'snapshot', 'last_event_at', 'synced_at'], ['contact_id']).updateEntity(false).execute();
  }

  /** The user's own recent events (their token only) and the contacts' events found this run, as interactions. */
  private async syncConversations(ctx: UserContext): Promise<number> {
    if (!ctx.timelineEnabled || !ctx.login || !ctx.ref.key.startsWith('user:')) return 0;
    const candidates = await this.contacts.githubCandidates(ctx.userId);
    const byLogin = new Map(candidates.map((c) => [c.githubUsername.toLowerCase(), { id: c.id, name: c.name }]));
    let ownEvents: TrimmedEvent[] = [];
    const res = await this.read(ctx, `/users/${encodeURIComponent(ctx.login)}/events`, CACHE_TTL_MS.ownEvents, trimEvents);
    if (res.kind === 'ok' && res.fresh) ownEvents = res.data;
    // the token could have been rejected while reading: then the conversations wait for a working one
    if (!ctx.ref.key.startsWith('user:')) return 0;
    const all = [...fromOwnEvents(ownEvents, byLogin), ...ctx.conversations];
    ctx.conversations = [];
    return this.interactions.recordExternal(
      ctx.userId,
      all.map((cv) => ({ contactId: cv.contactId, type: 'github' as const, occurredAt: cv.occurredAt, summary: cv.summary, url: cv.url && /^https?:\/\//i.test(cv.url) ? cv.url.slice(0, 500) : null, externalKey: `gh:${cv.eventId}` })),
    );
  }

  // ---- views -----------------------------------------------------------------------------------

  /** What the contact page's GitHub card shows (null when the contact was never synced). */
  async profileOf(userId: string, contactId: string): Promise<{ status: 'ok' | 'not_found'; syncedAt: Date | null; snapshot: Snapshot | null } | null> {
    const p = await this.tx.manager.getRepository(GithubProfile).findOne({ where: { contactId, userId } });
    if (!p) return null;
    let snapshot: Snapshot | null = null;
    try {
      const s = JSON.parse(p.snapshot) as Snapshot;
      snapshot = s?.user ? s : null;
    } catch {
      snapshot = null;
    }
    return { status: p.status, syncedAt: p.syncedAt ? new Date(p.syncedAt) : null, snapshot };
  }

  async profilesOf(userId: string, contactIds: string[]) {
    if (!contactIds.length) return new Map<string, GithubProfile>();
    const rows = await this.tx.manager.getRepository(GithubProfile).find({ where: { userId, contactId: In(contactIds) } });
    return new Map(rows.map((r) => [r.contactId, r]));
  }

  /** Who the user's token belongs to and the budget GitHub last reported, for /settings/github. */
  async status(userId: string) {
    const [conn, pair] = await Promise.all([this.connection(userId), this.tokens.get(userId).catch(() => null)]);
    const live = this.fetcher.rateOf(`user:${userId}`);
    const rate = live ?? (conn.rateLimit != null && conn.rateRemaining != null && conn.rateResetAt ? { limit: conn.rateLimit, remaining: conn.rateRemaining, resetAt: new Date(conn.rateResetAt) } : null);
    return { connected: Boolean(pair), broken: Boolean(conn.brokenAt), brokenReason: conn.brokenReason, timelineEnabled: conn.timelineEnabled, lastSyncAt: conn.lastSyncAt, rate, hasServerToken: Boolean(this.config.github.token) };
  }
}
