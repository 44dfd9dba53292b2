import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One attempt counter (see RateCounterService); times in epoch milliseconds. */
@Entity('rate_counters')
export class RateCounter {
  @PrimaryColumn({ type: 'varchar', length: 160 })
  key: string;

  @Column({ type: 'integer', default: 0 })
  count: number;

  @Column({ name: 'window_start', type: 'bigint' })
  windowStart: string;

  @Column({ name: 'expires_at', type: 'bigint' })
  expiresAt: string;
}
