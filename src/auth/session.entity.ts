import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateColumn } from '../database/column-types';

@Entity('sessions')
export class SessionRow {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @Column({ type: 'text' })
  data: string;

  @DateColumn({ name: 'expires_at' })
  expiresAt: Date;
}
