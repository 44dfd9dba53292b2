import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/column-types';

/** One random salt per UTC day, shared by every instance; yesterday's is deleted. */
@Entity('analytics_daily_salts')
export class DailySalt {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  @Column({ type: 'varchar', length: 64 })
  salt: string;

  @CreatedAtColumn()
  createdAt: Date;
}
