import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateColumn } from '../database/column-types';

@Entity('auth_throttle')
export class AuthThrottle {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'integer', default: 0 })
  failures: number;

  @DateColumn({ name: 'window_started_at' })
  windowStartedAt: Date;

  @DateColumn({ name: 'locked_until', nullable: true })
  lockedUntil: Date | null;
}
