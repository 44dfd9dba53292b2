import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateColumn, timestampType } from '../database/column-types';

export type JobOutcome = 'running' | 'succeeded' | 'failed' | 'skipped';

/** One attempt of a job, scheduled or on demand, in either engine (shown at /admin). */
@Entity('job_runs')
export class JobRun {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 50 }) job: string;
  /** Start of the time slot for a scheduled run. */
  @DateColumn({ nullable: true }) slot: Date | null;
  /** The on-demand job's id (or the BullMQ job id). */
  @Column({ name: 'job_id', type: 'varchar', length: 100, nullable: true }) jobId: string | null;
  @Column({ type: 'integer', default: 1 }) attempt: number;
  @Column({ type: 'varchar', length: 100 }) instance: string;
  @DateColumn({ name: 'started_at' }) startedAt: Date;
  @DateColumn({ name: 'finished_at', nullable: true }) finishedAt: Date | null;
  @Column({ type: 'varchar', length: 12, default: 'running' }) outcome: JobOutcome;
  @Column({ type: 'simple-json' }) counts: Record<string, number>;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
}

/** Who runs a job right now (the pre-slot lease; kept for migrations, unused since job_slots). */
@Entity('job_leases')
export class JobLease {
  @PrimaryColumn({ type: 'varchar', length: 50 }) job: string;
  @Column({ type: 'varchar', length: 100 }) holder: string;
  @DateColumn({ name: 'expires_at' }) expiresAt: Date;
}

export type SlotState = 'running' | 'retry' | 'done' | 'failed';

/** One row per scheduled time slot of a job: its primary key makes the slot run once across instances. */
@Entity('job_slots')
export class JobSlot {
  @PrimaryColumn({ type: 'varchar', length: 50 }) job: string;
  @PrimaryColumn({ type: timestampType() }) slot: Date;
  @Column({ type: 'varchar', length: 10 }) state: SlotState;
  @Column({ type: 'varchar', length: 100 }) holder: string;
  @DateColumn({ name: 'lease_expires_at' }) leaseExpiresAt: Date;
  @Column({ type: 'integer', default: 1 }) attempts: number;
  @DateColumn({ name: 'available_at' }) availableAt: Date;
  @DateColumn({ name: 'finished_at', nullable: true }) finishedAt: Date | null;
}

export type QueuedJobState = 'queued' | 'running' | 'retry' | 'done' | 'failed';

/** An on-demand job of the in-process engine (with REDIS_URL they live in BullMQ). */
@Entity('jobs')
export class QueuedJob {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 50 }) name: string;
  @Column({ type: 'varchar', length: 30 }) queue: string;
  @Column({ name: 'owner_id', type: 'varchar', length: 36, nullable: true }) ownerId: string | null;
  @Column({ name: 'dedupe_key', type: 'varchar', length: 200, nullable: true }) dedupeKey: string | null;
  /** JSON of what enqueue was given. */
  @Column({ type: 'text' }) payload: string;
  @Column({ type: 'varchar', length: 10 }) state: QueuedJobState;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'simple-json' }) counts: Record<string, number>;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) holder: string | null;
  @DateColumn({ name: 'lease_expires_at', nullable: true }) leaseExpiresAt: Date | null;
  @DateColumn({ name: 'available_at' }) availableAt: Date;
  @DateColumn({ name: 'created_at' }) createdAt: Date;
  @DateColumn({ name: 'started_at', nullable: true }) startedAt: Date | null;
  @DateColumn({ name: 'finished_at', nullable: true }) finishedAt: Date | null;
}
