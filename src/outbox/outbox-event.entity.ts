import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn } from '../database/column-types';

@Entity('outbox_events')
export class OutboxEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 50 })
  type: string;

  /** JSON: the resource as the API shows it */
  @Column({ type: 'text' })
  payload: string;

  @CreatedAtColumn()
  createdAt: Date;

  @DateColumn({ name: 'dispatched_at', nullable: true })
  dispatchedAt: Date | null;
}
