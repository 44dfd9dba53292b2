import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

export const INTERACTION_TYPES = ['meeting', 'call', 'email', 'message', 'event', 'github', 'other'] as const;
/** What a user may log by hand: `github` entries are written only by the GitHub sync. */
export const MANUAL_INTERACTION_TYPES = INTERACTION_TYPES.filter((t) => t !== 'github');
export type InteractionType = (typeof INTERACTION_TYPES)[number];

@Entity('interactions')
export class Interaction {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId: string;

  @Column({ type: 'varchar', length: 16 })
  type: InteractionType;

  @DateColumn({ name: 'occurred_at' })
  occurredAt: Date;

  @Column({ type: 'text', default: '' })
  summary: string;

  /** a link to what happened (the GitHub sync's entries) */
  @Column({ type: 'varchar', length: 500, nullable: true })
  url: string | null;

  /** set by the GitHub sync (`gh:<event id>`): one interaction per GitHub event */
  @Column({ name: 'external_key', type: 'varchar', length: 100, nullable: true })
  externalKey: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
