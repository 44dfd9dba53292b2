import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn } from '../database/column-types';

@Entity('notifications')
export class Notification {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ name: 'user_id', type: 'varchar', length: 36 }) userId: string;
  @Column({ type: 'varchar', length: 50 }) type: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'varchar', length: 1000, default: '' }) body: string;
  @Column({ type: 'varchar', length: 300, nullable: true }) link: string | null;
  @DateColumn({ name: 'read_at', nullable: true }) readAt: Date | null;
  @CreatedAtColumn() createdAt: Date;
}
