import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn } from '../database/column-types';
import type { DigestInsightType } from '../agent/insight-source';

export type InsightType = DigestInsightType;
export const INSIGHT_TYPES: InsightType[] = ['new_repo', 'new_release', 'star_milestone', 'company_change', 'bio_change', 'location_change', 'followers_milestone', 'active_again'];

@Entity('github_insights')
export class GithubInsight {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId: string;

  @Column({ type: 'varchar', length: 32 })
  type: InsightType;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  url: string | null;

  /** JSON: the fact's values (old/new company, repo, tag, milestone…) */
  @Column({ type: 'text', default: '{}' })
  metadata: string;

  /** one insight per fact: unique with user and contact */
  @Column({ name: 'fact_key', type: 'varchar', length: 300 })
  factKey: string;

  @CreatedAtColumn()
  createdAt: Date;

  @Column({ type: 'boolean', default: false })
  acknowledged: boolean;

  @DateColumn({ name: 'acknowledged_at', nullable: true })
  acknowledgedAt: Date | null;
}

/** A cached GitHub answer per URL and token owner (`user:<id>`, `server`, `anonymous`). */
@Entity('github_cache')
export class GithubCacheEntry {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'owner_key', type: 'varchar', length: 64 })
  ownerKey: string;

  @Column({ type: 'varchar', length: 500 })
  url: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  etag: string | null;

  @Column({ name: 'body_hash', type: 'varchar', length: 64 })
  bodyHash: string;

  /** JSON of the trimmed body (only the fields the sync reads) */
  @Column({ type: 'text' })
  body: string;

  @DateColumn({ name: 'fetched_at' })
  fetchedAt: Date;

  @DateColumn({ name: 'used_at' })
  usedAt: Date;
}

/** What the last sync saw of a contact's GitHub account: the baseline insights compare against. */
@Entity('github_profiles')
export class GithubProfile {
  @PrimaryColumn({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 39 })
  login: string;

  @Column({ name: 'github_id', type: 'varchar', length: 32, nullable: true })
  githubId: string | null;

  /** `ok` or `not_found` (the username does not exist on GitHub) */
  @Column({ type: 'varchar', length: 16, default: 'ok' })
  status: 'ok' | 'not_found';

  /** JSON Snapshot (see snapshot.ts) */
  @Column({ type: 'text', default: '{}' })
  snapshot: string;

  @DateColumn({ name: 'last_event_at', nullable: true })
  lastEventAt: Date | null;

  @DateColumn({ name: 'synced_at', nullable: true })
  syncedAt: Date | null;
}

/** Per user: the state of their GitHub connection and the last budget GitHub reported for their token. */
@Entity('github_connections')
export class GithubConnection {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @DateColumn({ name: 'broken_at', nullable: true })
  brokenAt: Date | null;

  @Column({ name: 'broken_reason', type: 'varchar', length: 200, nullable: true })
  brokenReason: string | null;

  @Column({ name: 'timeline_enabled', type: 'boolean', default: true })
  timelineEnabled: boolean;

  @Column({ name: 'rate_limit', type: 'integer', nullable: true })
  rateLimit: number | null;

  @Column({ name: 'rate_remaining', type: 'integer', nullable: true })
  rateRemaining: number | null;

  @DateColumn({ name: 'rate_reset_at', nullable: true })
  rateResetAt: Date | null;

  @DateColumn({ name: 'last_sync_at', nullable: true })
  lastSyncAt: Date | null;
}
