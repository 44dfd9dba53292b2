import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

export type DigestEngine = 'rules' | 'model';
export type ReportStatus = 'building' | 'ready';

/** One daily digest: unique per user, report type and the user's local day. */
@Entity('agent_reports')
export class AgentReport {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'report_type', type: 'varchar', length: 32, default: 'daily_digest' })
  reportType: 'daily_digest';

  @Column({ name: 'local_day', type: 'varchar', length: 10 })
  localDay: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: 'UTC' })
  timeZone: string;

  @Column({ type: 'varchar', length: 12, default: 'ready' })
  status: ReportStatus;

  /** JSON: DigestPriority[] */
  @Column({ type: 'text', default: '[]' })
  priorities: string;

  /** JSON: DigestInsightItem[] */
  @Column({ type: 'text', default: '[]' })
  insights: string;

  @Column({ type: 'varchar', length: 8, default: 'rules' })
  engine: DigestEngine;

  @Column({ type: 'varchar', length: 200, nullable: true })
  model: string | null;

  /** why the rules answered although a model is configured (model failed, or model use is off) */
  @Column({ name: 'fallback_reason', type: 'varchar', length: 200, nullable: true })
  fallbackReason: string | null;

  @Column({ name: 'prompt_tokens', type: 'integer', default: 0 })
  promptTokens: number;

  @Column({ name: 'completion_tokens', type: 'integer', default: 0 })
  completionTokens: number;

  /** the model's answer came from the cache (no request sent) */
  @Column({ type: 'boolean', default: false })
  cached: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** The model's answer to one prompt, keyed by SHA-256 of model + prompt. */
@Entity('agent_model_cache')
export class AgentModelCache {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  model: string;

  @Column({ type: 'text' })
  answer: string;

  @Column({ name: 'prompt_tokens', type: 'integer', default: 0 })
  promptTokens: number;

  @Column({ name: 'completion_tokens', type: 'integer', default: 0 })
  completionTokens: number;

  @CreatedAtColumn()
  createdAt: Date;
}

export type HoldKind = 'snoozed' | 'dismissed' | 'done';

/** A contact the digest leaves out until `until` (snoozed, dismissed, or just reached out to). */
@Entity('agent_contact_holds')
export class AgentContactHold {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId: string;

  @Column({ type: 'varchar', length: 12 })
  kind: HoldKind;

  @DateColumn()
  until: Date;

  @CreatedAtColumn()
  createdAt: Date;
}
