import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateColumn } from '../database/column-types';

export type JobOutcome = 'running' | 'succeeded' | 'failed' | 'skipped';

@Entity('job_runs')
export class JobRun {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 50 }) job: string;
  @Column({ type: 'varchar', length: 100 }) instance: string;
  @DateColumn({ name: 'started_at' }) startedAt: Date;
  @DateColumn({ name: 'finished_at', nullable: true }) finishedAt: Date | null;
  @Column({ type: 'varchar', length: 12, default: 'running' }) outcome: JobOutcome;
  @Column({ type: 'simple-json' }) counts: Record<string, number>;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
}

/** Who runs a job right now: with several instances, each run happens once. */
@Entity('job_leases')
export class JobLease {
  @PrimaryColumn({ type: 'varchar', length: 50 }) job: string;
  @Column({ type: 'varchar', length: 100 }) holder: string;
  @DateColumn({ name: 'expires_at' }) expiresAt: Date;
}
