import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

export type FollowUpStatus = 'open' | 'done';

@Entity('follow_ups')
export class FollowUp {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId: string;

  @DateColumn({ name: 'due_at' })
  dueAt: Date;

  @Column({ type: 'text', default: '' })
  note: string;

  @Column({ type: 'varchar', length: 8, default: 'open' })
  status: FollowUpStatus;

  @DateColumn({ name: 'completed_at', nullable: true })
  completedAt: Date | null;

  /** created by a keep-in-touch cadence; moves when an interaction is logged */
  @Column({ name: 'is_cadence', type: 'boolean', default: false })
  isCadence: boolean;

  /** when the send-notifications job announced it as due (so it is announced once) */
  @DateColumn({ name: 'due_notified_at', nullable: true })
  dueNotifiedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
