import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, In, LessThan, MoreThanOrEqual } from 'typeorm';
import type { AgentInsightSource, DigestInsight } from '../agent/insight-source';
import { Clock } from '../common/clock';
import { isId } from '../contacts/crm.errors';
import { TransactionService } from '../database/transaction.service';
import { OutboxService } from '../outbox/outbox.service';
import { GithubInsight, INSIGHT_TYPES, InsightType } from './github.entity';
import { GithubNotFoundError } from './github.errors';
import type { Fact } from './snapshot';

export interface InsightView {
  id: string;
  contactId: string;
  type: InsightType;
  title: string;
  description: string | null;
  url: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  acknowledged: boolean;
}

export interface InsightFilter {
  type?: InsightType;
  contactId?: string;
  acknowledged?: boolean;
  limit: number;
  offset: number;
}

const safeUrl = (u: string | null) => (u && /^https?:\/\//i.test(u) ? u.slice(0, 500) : null);

export function toInsightView(r: GithubInsight): InsightView {
  let metadata: Record<string, unknown> = {};
  try {
    metadata = JSON.parse(r.metadata) as Record<string, unknown>;
  } catch {
    metadata = {};
  }
  return {
    id: r.id,
    contactId: r.contactId,
    type: r.type,
    title: r.title,
    description: r.description,
    url: r.url,
    metadata,
    createdAt: new Date(r.createdAt).toISOString(),
    acknowledged: Boolean(r.acknowledged),
  };
}

/** GitHub insights: written by the sync (one per fact), read by /insights, the API, the dashboard and the digest. */
@Injectable()
export class InsightsService implements AgentInsightSource {
  constructor(
    private readonly tx: TransactionService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * Inserts the facts the contact has no insight for yet, each with `insight.created` in the outbox,
   * inside the caller's transaction. Returns the new insights.
   */
  async record(m: EntityManager, userId: string, contactId: string, facts: Fact[]): Promise<InsightView[]> {
    if (!facts.length) return [];
    const repo = m.getRepository(GithubInsight);
    const known = new Set((await repo.find({ where: { userId, contactId, factKey: In(facts.map((f) => f.key.slice(0, 300))) }, select: { id: true, factKey: true } })).map((r) => r.factKey));
    const rows: GithubInsight[] = [];
    for (const f of facts) {
      const key = f.key.slice(0, 300);
      if (known.has(key)) continue;
      known.add(key);
      rows.push({
        id: randomUUID(),
        userId,
        contactId,
        type: f.type,
        title: f.title.slice(0, 300),
        description: f.description?.slice(0, 2000) ?? null,
        url: safeUrl(f.url),
        metadata: JSON.stringify(f.metadata),
        factKey: key,
        createdAt: this.clock.now(),
        acknowledged: false,
        acknowledgedAt: null,
      });
    }
    if (!rows.length) return [];
    await m.createQueryBuilder().insert().into(GithubInsight).values(rows).updateEntity(false).execute();
    const views = rows.map(toInsightView);
    await this.outbox.recordMany(m, userId, 'insight.created', views);
    return views;
  }

  async list(userId: string, f: InsightFilter): Promise<{ items: InsightView[]; total: number }> {
    if (f.contactId && !isId(f.contactId)) return { items: [], total: 0 };
    const where: Record<string, unknown> = { userId };
    if (f.type) where.type = f.type;
    if (f.contactId) where.contactId = f.contactId;
    if (f.acknowledged !== undefined) where.acknowledged = f.acknowledged;
    const [rows, total] = await this.tx.manager.getRepository(GithubInsight).findAndCount({ where, order: { createdAt: 'DESC', id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: rows.map(toInsightView), total };
  }

  async acknowledge(userId: string, id: string): Promise<InsightView> {
    if (!isId(id)) throw new GithubNotFoundError('Insight');
    return this.tx.run(async (m) => {
      const repo = m.getRepository(GithubInsight);
      const row = await repo.findOne({ where: { id, userId } });
      if (!row) throw new GithubNotFoundError('Insight');
      if (!row.acknowledged) {
        row.acknowledged = true;
        row.acknowledgedAt = this.clock.now();
        await repo.update({ id, userId }, { acknowledged: true, acknowledgedAt: row.acknowledgedAt });
      }
      return toInsightView(row);
    });
  }

  /** Acknowledges every open insight of the user (or of one of their contacts); returns how many. */
  async acknowledgeAll(userId: string, contactId?: string): Promise<number> {
    return this.tx.run(async (m) => {
      const where = { userId, acknowledged: false, ...(contactId && isId(contactId) ? { contactId } : {}) };
      const res = await m.getRepository(GithubInsight).update(where, { acknowledged: true, acknowledgedAt: this.clock.now() });
      return res.affected ?? 0;
    });
  }

  countOpen(userId: string): Promise<number> {
    return this.tx.manager.getRepository(GithubInsight).count({ where: { userId, acknowledged: false } });
  }

  /** For the daily digest (AGENT_INSIGHT_SOURCE). */
  async insightsSince(userId: string, since: Date, limit: number): Promise<DigestInsight[]> {
    const rows = await this.tx.manager.getRepository(GithubInsight).find({ where: { userId, createdAt: MoreThanOrEqual(since) }, order: { createdAt: 'DESC' }, take: Math.max(0, Math.min(limit, 500)) });
    return rows.map((r) => ({ id: r.id, contactId: r.contactId, type: r.type, title: r.title, description: r.description, url: r.url, createdAt: new Date(r.createdAt), acknowledged: Boolean(r.acknowledged) }));
  }

  /** Cleanup step: acknowledged insights older than 180 days. */
  async deleteOldAcknowledged(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - 180 * 86_400_000);
    let total = 0;
    for (;;) {
      const ids = (await this.tx.manager.getRepository(GithubInsight).find({ where: { acknowledged: true, createdAt: LessThan(cutoff) }, select: { id: true }, take: 500 })).map((r) => r.id);
      if (!ids.length) return total;
      await this.tx.run((m) => m.getRepository(GithubInsight).delete(ids));
      total += ids.length;
    }
  }

  static isType(v: unknown): v is InsightType {
    return typeof v === 'string' && (INSIGHT_TYPES as string[]).includes(v);
  }
}
