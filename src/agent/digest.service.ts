import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, NotFoundException, Optional } from '@nestjs/common';
import { In, LessThan, MoreThan } from 'typeorm';
import type { User } from '../auth/user.entity';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { SentryReporter } from '../common/errors/sentry-reporter';
import { yieldToEventLoop } from '../common/event-loop';
import { DAY_MS, dayInZone, startOfDayInZone, utcToWallTime } from '../common/time';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { ContactSignalsService } from '../contacts/contact-signals.service';
import { isId } from '../contacts/crm.errors';
import { InteractionsService } from '../contacts/interactions.service';
import { TransactionService } from '../database/transaction.service';
import { isUniqueViolation } from '../database/unique-violation';
import { NotificationsService } from '../notifications/notifications.service';
import { OutboxService } from '../outbox/outbox.service';
import { AgentContactHold, AgentModelCache, AgentReport, DigestEngine, HoldKind } from './agent-report.entity';
import { digestMail } from './digest-mail';
import { buildDigestPrompt, DigestAnswerError, estimateTokens, parseDigestAnswer } from './digest-prompt';
import { AGENT_INSIGHT_SOURCE, AgentInsightSource, DigestInsight } from './insight-source';
import { ModelCallError, ModelClient } from './model-client';
import { Candidate, MET_RECENTLY_DAYS, rankCandidates, ScorePart, SignalKind } from './ranker';

export type PriorityStatus = 'open' | 'done' | 'snoozed' | 'dismissed';

export interface DigestPriority {
  contactId: string;
  contactName: string;
  reason: string;
  action: string;
  draft: string;
  score: number;
  parts: ScorePart[];
  kinds: SignalKind[];
  /** the rules' own reason, kept when the model rewrote it */
  rulesReason: string | null;
  status: PriorityStatus;
}

export interface DigestInsightItem {
  id: string;
  contactId: string;
  contactName: string;
  type: string;
  title: string;
  url: string | null;
  createdAt: string;
}

/** A digest as the API, the outbox and the pages see it. */
export interface DigestView {
  id: string;
  day: string;
  timeZone: string;
  engine: DigestEngine;
  model: string | null;
  fallbackReason: string | null;
  promptTokens: number;
  completionTokens: number;
  priorities: DigestPriority[];
  insights: DigestInsightItem[];
  createdAt: string;
}

type DigestUser = Pick<User, 'id' | 'name' | 'timezone' | 'plan' | 'digestUseModel'>;

/** Local time from which the scheduled digest is built. */
export const DIGEST_HOUR = '07:00';
/** How far back insights count as new */
const INSIGHT_DAYS = 7;
/** A claim ("building") older than this is taken to be from a process that died. */
const STALE_CLAIM_MS = 15 * 60_000;
const USERS_PER_PAGE = 500;

const HOLD_DAYS: Record<HoldKind, number> = { snoozed: 7, dismissed: 30, done: 7 };

export class DigestNotFoundError extends NotFoundException {
  constructor() {
    super('Digest not found.');
  }
}

function fallbackText(err: unknown, timeoutMs: number): string {
  if (err instanceof DigestAnswerError) {
    return err.problem === 'unknown_contact'
      ? 'The model named a contact that was not in the list, so the rules wrote this digest.'
      : "The model's answer was not valid JSON in the expected shape, so the rules wrote this digest.";
  }
  if (err instanceof ModelCallError) {
    if (err.failure === 'timeout') return `The model did not answer within ${Math.round(timeoutMs / 100) / 10} s, so the rules wrote this digest.`;
    if (err.failure === 'refusal') return 'The model declined to answer, so the rules wrote this digest.';
    return `The model server failed (${err.message}), so the rules wrote this digest.`;
  }
  return 'The model could not be used, so the rules wrote this digest.';
}

export function toDigestView(r: AgentReport): DigestView {
  return {
    id: r.id,
    day: r.localDay,
    timeZone: r.timeZone,
    engine: r.engine,
    model: r.model,
    fallbackReason: r.fallbackReason,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    priorities: JSON.parse(r.priorities) as DigestPriority[],
    insights: JSON.parse(r.insights) as DigestInsightItem[],
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

interface Composed {
  priorities: DigestPriority[];
  insights: DigestInsightItem[];
  engine: DigestEngine;
  model: string | null;
  fallbackReason: string | null;
  promptTokens: number;
  completionTokens: number;
  cached: boolean;
}

/**
 * The daily digest: who to reach out to today, why, and what to say. Rules pick and rank the
 * candidates; a model (when configured and allowed for the account) re-ranks them and writes the
 * words; any model failure falls back to the rules. One digest per user and local day.
 */
@Injectable()
export class DigestService {
  private readonly logger = new Logger('Digest');

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly signals: ContactSignalsService,
    private readonly interactions: InteractionsService,
    private readonly outbox: OutboxService,
    private readonly notifications: NotificationsService,
    private readonly model: ModelClient,
    private readonly errors: SentryReporter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(AGENT_INSIGHT_SOURCE) private readonly insightSource?: AgentInsightSource,
  ) {}

  /** The user's calendar day now, and whether it is past 07:00 there. */
  static localMorning(now: Date, timeZone: string): { day: string; due: boolean } {
    const wall = utcToWallTime(now, timeZone);
    return { day: wall.slice(0, 10), due: wall.slice(11) >= DIGEST_HOUR };
  }

  /**
   * run-daily-agent: a digest for every user whose local time has passed 07:00 and who has none for
   * that local day. Safe to run twice or on several instances: the unique (user, day) claim decides.
   */
  async runDaily(now = this.clock.now(), signal?: AbortSignal): Promise<{ users: number; built: number; failed: number }> {
    const counts = { users: 0, built: 0, failed: 0 };
    let after: string | null = null;
    for (;;) {
      if (signal?.aborted) break;
      const page = await this.users.pageForJobs(after, USERS_PER_PAGE);
      if (!page.length) break;
      after = page[page.length - 1]!.id;
      counts.users += page.length;
      const due = page.map((u) => ({ u, ...DigestService.localMorning(now, u.timezone) })).filter((x) => x.due);
      if (!due.length) continue;
      const have = await this.tx.manager.getRepository(AgentReport).find({
        where: { userId: In(due.map((x) => x.u.id)), reportType: 'daily_digest', localDay: In([...new Set(due.map((x) => x.day))]) },
        select: { userId: true, localDay: true },
      });
      const built = new Set(have.map((r) => `${r.userId} ${r.localDay}`));
      const todo = due.filter((x) => !built.has(`${x.u.id} ${x.day}`)).map((x) => x.u);
      await this.pool(todo, this.model.enabled ? this.config.openai.concurrency : 1, async (u) => {
        if (signal?.aborted) return;
        try {
          const res = await this.build(u, now);
          if (res.created) counts.built++;
        } catch (err) {
          counts.failed++;
          this.logger.error(`digest for a user failed: ${err instanceof Error ? err.message : 'unknown error'}`);
          this.errors.report(err, { tags: { job: 'run-daily-agent' } });
        }
        // a turn for other requests between users (better-sqlite3 is synchronous)
        await yieldToEventLoop();
      });
    }
    return counts;
  }

  private async pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const lanes = Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    });
    await Promise.all(lanes);
  }

  /** Today's digest for the user (built now unless it already exists). */
  async buildForUserId(userId: string, now = this.clock.now()): Promise<{ view: DigestView; created: boolean }> {
    const user = await this.users.findById(userId);
    if (!user) throw new DigestNotFoundError();
    return this.build(user, now);
  }

  private async build(user: DigestUser, now: Date): Promise<{ view: DigestView; created: boolean }> {
    const tz = user.timezone || 'UTC';
    const day = dayInZone(now, tz);
    const claim = await this.claim(user.id, day, tz);
    if (!claim.created) return { view: toDigestView(claim.report), created: false };
    try {
      const c = await this.compose(user, now, day);
      const report = claim.report;
      Object.assign(report, {
        status: 'ready',
        priorities: JSON.stringify(c.priorities),
        insights: JSON.stringify(c.insights),
        engine: c.engine,
        model: c.model,
        fallbackReason: c.fallbackReason,
        promptTokens: c.promptTokens,
        completionTokens: c.completionTokens,
        cached: c.cached,
        updatedAt: this.clock.now(),
      });
      const view = toDigestView(report);
      await this.tx.run(async (m) => {
        await m.getRepository(AgentReport).update(
          { id: report.id, userId: user.id },
          {
            status: 'ready',
            priorities: report.priorities,
            insights: report.insights,
            engine: report.engine,
            model: report.model,
            fallbackReason: report.fallbackReason,
            promptTokens: report.promptTokens,
            completionTokens: report.completionTokens,
            cached: report.cached,
            updatedAt: report.updatedAt,
          },
        );
        await this.outbox.record(m, user.id, 'digest.created', view);
        const mail = digestMail(view, user.name, this.config.baseUrl, now);
        await this.notifications.notify(user.id, { type: 'digest', title: mail.subject, body: mail.summary, link: '/digest', mail: { subject: mail.subject, text: mail.text, html: mail.html } }, m);
      });
      return { view, created: true };
    } catch (err) {
      // no half-built digest stays claimed: the next run tries again
      await this.tx.run((m) => m.getRepository(AgentReport).delete({ id: claim.report.id, userId: user.id, status: 'building' }));
      throw err;
    }
  }

  /** Takes the (user, day) row first and checks after: only one builder wins, on any instance. */
  private async claim(userId: string, day: string, timeZone: string): Promise<{ report: AgentReport; created: boolean }> {
    const repo = () => this.tx.manager.getRepository(AgentReport);
    const row: AgentReport = Object.assign(new AgentReport(), {
      id: randomUUID(),
      userId,
      reportType: 'daily_digest' as const,
      localDay: day,
      timeZone,
      status: 'building' as const,
      priorities: '[]',
      insights: '[]',
      engine: 'rules' as const,
      model: null,
      fallbackReason: null,
      promptTokens: 0,
      completionTokens: 0,
      cached: false,
      // wall-clock times (the stale-claim check compares them with the clock), whatever `now` the run is for
      createdAt: this.clock.now(),
      updatedAt: this.clock.now(),
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.tx.run((m) => m.getRepository(AgentReport).insert(row));
        return { report: row, created: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const existing = await repo().findOne({ where: { userId, reportType: 'daily_digest', localDay: day } });
      if (!existing) continue;
      if (existing.status === 'building' && new Date(existing.updatedAt).getTime() < this.clock.now().getTime() - STALE_CLAIM_MS) {
        await this.tx.run((m) => m.getRepository(AgentReport).delete({ id: existing.id, status: 'building' }));
        continue;
      }
      return { report: existing, created: false };
    }
    throw new Error('could not claim the digest row');
  }

  private async compose(user: DigestUser, now: Date, day: string): Promise<Composed> {
    const tz = user.timezone || 'UTC';
    const [signals, insights, held] = await Promise.all([
      this.signals.signals(user.id, startOfDayInZone(now, tz, 1), new Date(now.getTime() - MET_RECENTLY_DAYS * DAY_MS)),
      this.insightSource ? this.insightSource.insightsSince(user.id, new Date(now.getTime() - INSIGHT_DAYS * DAY_MS), 200) : Promise.resolve<DigestInsight[]>([]),
      this.activeHolds(user.id, now),
    ]);
    const candidates = rankCandidates({ now, endOfToday: startOfDayInZone(now, tz, 1), signals, insights, held });
    const insightItems: DigestInsightItem[] = candidates.flatMap((c) =>
      c.insights.map((i) => ({ id: i.id, contactId: c.contactId, contactName: c.contactName, type: i.type, title: i.title, url: i.url, createdAt: new Date(i.createdAt).toISOString() })),
    );
    const rules = (fallbackReason: string | null): Composed => ({
      priorities: candidates.map((c) => toPriority(c, null)),
      insights: insightItems,
      engine: 'rules',
      model: null,
      fallbackReason,
      promptTokens: 0,
      completionTokens: 0,
      cached: false,
    });
    // nothing leaves the server: no model configured, the account turned it off, or nothing to ask about
    if (!this.model.enabled || user.digestUseModel === false || !candidates.length) return rules(null);

    const details = await this.signals.details(user.id, candidates.map((c) => c.contactId));
    const prompt = buildDigestPrompt(candidates, details, day);
    const model = this.model.modelFor(user.plan);
    try {
      const answer = (await this.model.cached(model, prompt)) ?? (await this.model.complete(model, prompt));
      const ranked = parseDigestAnswer(answer.text, prompt.aliases);
      if (!answer.cached) await this.model.remember(model, prompt, answer);
      const byId = new Map(candidates.map((c) => [c.contactId, c]));
      return {
        priorities: ranked.map((p) => toPriority({ ...byId.get(p.contactId)!, reason: p.reason, draft: p.draft }, byId.get(p.contactId)!.reason)),
        insights: insightItems,
        engine: 'model',
        model,
        fallbackReason: null,
        promptTokens: answer.promptTokens,
        completionTokens: answer.completionTokens,
        cached: answer.cached,
      };
    } catch (err) {
      if (!(err instanceof ModelCallError) && !(err instanceof DigestAnswerError)) this.errors.report(err, { tags: { job: 'run-daily-agent' } });
      return { ...rules(fallbackText(err, this.config.openai.timeoutMs)), model, promptTokens: estimateTokens(prompt.system + prompt.user) };
    }
  }

  private async activeHolds(userId: string, now: Date): Promise<Set<string>> {
    const rows = await this.tx.manager.getRepository(AgentContactHold).find({ where: { userId, until: MoreThan(now) }, select: { contactId: true } });
    return new Set(rows.map((r) => r.contactId));
  }

  // ---- reading ----

  async latest(userId: string): Promise<DigestView | null> {
    const row = await this.tx.manager.getRepository(AgentReport).findOne({
      where: { userId, reportType: 'daily_digest', status: 'ready' },
      order: { localDay: 'DESC', createdAt: 'DESC' },
    });
    return row ? toDigestView(row) : null;
  }

  async forDay(userId: string, day: string): Promise<DigestView | null> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
    const row = await this.tx.manager.getRepository(AgentReport).findOne({ where: { userId, reportType: 'daily_digest', localDay: day, status: 'ready' } });
    return row ? toDigestView(row) : null;
  }

  /** True while today's digest is being built (a claim not yet filled). */
  async buildingToday(userId: string, timeZone: string, now = this.clock.now()): Promise<boolean> {
    return this.tx.manager.getRepository(AgentReport).exists({ where: { userId, reportType: 'daily_digest', localDay: dayInZone(now, timeZone), status: 'building' } });
  }

  async today(userId: string, timeZone: string, now = this.clock.now()): Promise<DigestView | null> {
    return this.forDay(userId, dayInZone(now, timeZone));
  }

  /** Earlier digests, newest first, paginated in SQL. */
  async days(userId: string, limit: number, offset: number): Promise<{ items: Array<{ day: string; engine: DigestEngine; count: number }>; total: number }> {
    const [rows, total] = await this.tx.manager.getRepository(AgentReport).findAndCount({
      where: { userId, reportType: 'daily_digest', status: 'ready' },
      select: { localDay: true, engine: true, priorities: true },
      order: { localDay: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map((r) => ({ day: r.localDay, engine: r.engine, count: (JSON.parse(r.priorities) as unknown[]).length })), total };
  }

  // ---- acting on a priority ----

  /** The user's ready digest and one of its priorities; 404 for anything not theirs. */
  private async ownedPriority(userId: string, reportId: string, contactId: string) {
    if (!isId(reportId) || !isId(contactId)) throw new DigestNotFoundError();
    const row = await this.tx.manager.getRepository(AgentReport).findOne({ where: { id: reportId, userId, status: 'ready' } });
    if (!row) throw new DigestNotFoundError();
    const priorities = JSON.parse(row.priorities) as DigestPriority[];
    const p = priorities.find((x) => x.contactId === contactId);
    if (!p) throw new DigestNotFoundError();
    return { row, priorities, p };
  }

  /**
   * Marks one priority of the user's digest (404 when the digest or the contact in it is not
   * theirs) and holds the contact back from the next digests for a while. "done" also logs an
   * interaction ("reached out") through the contacts module.
   */
  async act(userId: string, reportId: string, contactId: string, kind: HoldKind, timeZone: string, snoozeDays?: number): Promise<DigestView> {
    const { row, priorities, p } = await this.ownedPriority(userId, reportId, contactId);
    if (kind === 'done' && p.status !== 'done') {
      await this.interactions.create(userId, contactId, { type: 'message', summary: 'Reached out (from the daily digest)' }, timeZone);
    }
    const now = this.clock.now();
    const days = kind === 'snoozed' && snoozeDays ? snoozeDays : HOLD_DAYS[kind];
    p.status = kind;
    await this.tx.run(async (m) => {
      await m.getRepository(AgentContactHold).delete({ userId, contactId });
      await m.getRepository(AgentContactHold).insert({ id: randomUUID(), userId, contactId, kind, until: new Date(now.getTime() + days * DAY_MS), createdAt: now });
      await m.getRepository(AgentReport).update({ id: row.id, userId }, { priorities: JSON.stringify(priorities), updatedAt: now });
    });
    row.priorities = JSON.stringify(priorities);
    return toDigestView(row);
  }

  /** Brings a snoozed or dismissed priority back (the hold is lifted). */
  async reopen(userId: string, reportId: string, contactId: string): Promise<DigestView> {
    const { row, priorities, p } = await this.ownedPriority(userId, reportId, contactId);
    p.status = 'open';
    await this.tx.run(async (m) => {
      await m.getRepository(AgentContactHold).delete({ userId, contactId });
      await m.getRepository(AgentReport).update({ id: row.id, userId }, { priorities: JSON.stringify(priorities), updatedAt: this.clock.now() });
    });
    row.priorities = JSON.stringify(priorities);
    return toDigestView(row);
  }

  /** cleanup-old-data step: model answers older than 30 days, holds that ran out. */
  async purgeOld(now: Date): Promise<number> {
    return this.tx.run(async (m) => {
      const cache = (await m.getRepository(AgentModelCache).delete({ createdAt: LessThan(new Date(now.getTime() - 30 * DAY_MS)) })).affected ?? 0;
      const holds = (await m.getRepository(AgentContactHold).delete({ until: LessThan(now) })).affected ?? 0;
      return cache + holds;
    });
  }
}

function toPriority(c: Candidate, rulesReason: string | null): DigestPriority {
  return {
    contactId: c.contactId,
    contactName: c.contactName,
    reason: c.reason,
    action: c.action,
    draft: c.draft,
    score: c.score,
    parts: c.parts,
    kinds: c.kinds,
    rulesReason,
    status: 'open',
  };
}
