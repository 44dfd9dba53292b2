import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

export const INTERACTION_TYPES = ['meeting', 'call', 'email', 'message', 'event', 'other'] as const;
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

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
