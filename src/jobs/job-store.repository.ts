import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Brackets, In, LessThan } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import type { JobCounts } from './job-api';
import { JobRun, JobSlot, QueuedJob } from './job-run.entity';

/** The jobs' tables (slots, on-demand jobs, runs); no rules here, only the queries. */
@Injectable()
export class JobStore {
  constructor(private readonly tx: TransactionService) {}

  // ---- scheduled slots

  /**
   * Takes a slot by inserting its row; false when another instance has it already (the primary key
   * decides; the insert ignores the conflict, so nothing fails or is logged, and reading the row back
   * in the same transaction tells who won).
   */
  async claimNewSlot(job: string, slot: Date, holder: string, now: Date, leaseMs: number): Promise<boolean> {
    return this.tx.run(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(JobSlot)
        .values({ job, slot, state: 'running', holder, attempts: 1, leaseExpiresAt: new Date(now.getTime() + leaseMs), availableAt: now, finishedAt: null })
        .orIgnore()
        .execute();
      const row = await m.getRepository(JobSlot).findOne({ select: { holder: true, attempts: true }, where: { job, slot } });
      return row?.holder === holder && row.attempts === 1;
    });
  }

  /** Slots whose holder's lease ran out (it crashed or hung) or whose retry is due. */
  reclaimableSlots(jobs: string[], now: Date, limit = 20): Promise<JobSlot[]> {
    if (!jobs.length) return Promise.resolve([]);
    return this.tx.manager
      .getRepository(JobSlot)
      .createQueryBuilder('s')
      .where('s.job IN (:...jobs)', { jobs })
      .andWhere(
        new Brackets((w) =>
          w.where("s.state = 'running' AND s.lease_expires_at < :now", { now }).orWhere("s.state = 'retry' AND s.available_at <= :now", { now }),
        ),
      )
      .orderBy('s.slot', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Takes over a reclaimable slot; the conditions make two instances' takeovers exclusive. Returns the attempt number or null. */
  async reclaimSlot(s: JobSlot, holder: string, now: Date, leaseMs: number): Promise<number | null> {
    return this.tx.run(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(JobSlot)
        .set({ state: 'running', holder, leaseExpiresAt: new Date(now.getTime() + leaseMs), attempts: () => 'attempts + 1' })
        .where('job = :job AND slot = :slot', { job: s.job, slot: s.slot })
        .andWhere(new Brackets((w) => w.where("state = 'running' AND lease_expires_at < :now", { now }).orWhere("state = 'retry' AND available_at <= :now", { now })))
        .execute();
      if (!res.affected) return null;
      const row = await m.getRepository(JobSlot).findOneBy({ job: s.job, slot: s.slot });
      return row?.attempts ?? null;
    });
  }

  async renewSlot(job: string, slot: Date, holder: string, until: Date): Promise<void> {
    await this.tx.run((m) => m.getRepository(JobSlot).update({ job, slot, holder, state: 'running' }, { leaseExpiresAt: until }));
  }

  async finishSlot(job: string, slot: Date, holder: string, state: 'done' | 'failed' | 'retry', now: Date, availableAt = now): Promise<void> {
    await this.tx.run((m) =>
      m.getRepository(JobSlot).update({ job, slot, holder }, { state, availableAt, finishedAt: state === 'retry' ? null : now, leaseExpiresAt: now }),
    );
  }

  async deleteSlotsBefore(before: Date, limit: number): Promise<number> {
    return this.tx.run(async (m) => {
      const rows = await m.getRepository(JobSlot).find({ select: { job: true, slot: true }, where: { slot: LessThan(before), state: In(['done', 'failed']) }, take: limit });
      for (const r of rows) await m.getRepository(JobSlot).delete({ job: r.job, slot: r.slot });
      return rows.length;
    });
  }

  // ---- on-demand jobs (in-process engine)

  findQueuedByKey(name: string, dedupeKey: string): Promise<QueuedJob | null> {
    return this.tx.manager.getRepository(QueuedJob).findOneBy({ name, dedupeKey, state: 'queued' });
  }

  /** Inserts a queued job; null when one with the same dedupe key is queued (the partial unique index decides). */
  async insertJob(row: Pick<QueuedJob, 'name' | 'queue' | 'ownerId' | 'dedupeKey'> & { payload: unknown }, now: Date): Promise<QueuedJob | null> {
    const job: QueuedJob = Object.assign(new QueuedJob(), {
      id: randomUUID(),
      ...row,
      payload: JSON.stringify(row.payload ?? null),
      state: 'queued' as const,
      attempts: 0,
      counts: {},
      error: null,
      holder: null,
      leaseExpiresAt: null,
      availableAt: now,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
    });
    // a conflict on the dedupe index is ignored (not an error to log); whether our row exists tells
    return this.tx.run(async (m) => {
      await m.createQueryBuilder().insert().into(QueuedJob).values(job).orIgnore().execute();
      return (await m.getRepository(QueuedJob).exists({ where: { id: job.id } })) ? job : null;
    });
  }

  getJob(id: string): Promise<QueuedJob | null> {
    return this.tx.manager.getRepository(QueuedJob).findOneBy({ id });
  }

  /** Jobs ready to run in `queue`: queued or due for a retry, or running under an expired lease. */
  claimableJobs(names: string[], now: Date, limit: number): Promise<QueuedJob[]> {
    if (!names.length || limit <= 0) return Promise.resolve([]);
    return this.tx.manager
      .getRepository(QueuedJob)
      .createQueryBuilder('j')
      .where('j.name IN (:...names)', { names })
      .andWhere(
        new Brackets((w) =>
          w
            .where("j.state IN ('queued', 'retry') AND j.available_at <= :now", { now })
            .orWhere("j.state = 'running' AND j.lease_expires_at < :now", { now }),
        ),
      )
      .orderBy('j.available_at', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Takes a job for this instance; the state/lease condition makes it exclusive. Returns the attempt or null. */
  async claimJob(j: QueuedJob, holder: string, now: Date, leaseMs: number): Promise<number | null> {
    return this.tx.run(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(QueuedJob)
        .set({ state: 'running', holder, leaseExpiresAt: new Date(now.getTime() + leaseMs), attempts: () => 'attempts + 1', startedAt: now })
        .where('id = :id', { id: j.id })
        .andWhere(
          new Brackets((w) =>
            w.where("state IN ('queued', 'retry') AND available_at <= :now", { now }).orWhere("state = 'running' AND lease_expires_at < :now", { now }),
          ),
        )
        .execute();
      if (!res.affected) return null;
      return (await m.getRepository(QueuedJob).findOneBy({ id: j.id }))?.attempts ?? null;
    });
  }

  async renewJob(id: string, holder: string, until: Date): Promise<void> {
    await this.tx.run((m) => m.getRepository(QueuedJob).update({ id, holder, state: 'running' }, { leaseExpiresAt: until }));
  }

  async setJobCounts(id: string, counts: JobCounts): Promise<void> {
    await this.tx.run((m) => m.getRepository(QueuedJob).update({ id }, { counts }));
  }

  async finishJob(id: string, holder: string, patch: { state: 'done' | 'failed' | 'retry'; counts: JobCounts; error: string | null; availableAt?: Date }, now: Date) {
    await this.tx.run((m) =>
      m.getRepository(QueuedJob).update(
        { id, holder },
        {
          state: patch.state,
          counts: patch.counts,
          error: patch.error,
          leaseExpiresAt: null,
          ...(patch.state === 'retry' ? { availableAt: patch.availableAt ?? now } : { finishedAt: now }),
        },
      ),
    );
  }

  /** Jobs per queue and state (queue depth at /admin and /metrics). */
  async countByQueueAndState(): Promise<Array<{ queue: string; state: string; n: number }>> {
    const rows: Array<{ queue: string; state: string; n: string | number }> = await this.tx.manager
      .getRepository(QueuedJob)
      .createQueryBuilder('j')
      .select('j.queue', 'queue')
      .addSelect('j.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .where("j.state IN ('queued', 'retry', 'running', 'failed')")
      .groupBy('j.queue')
      .addGroupBy('j.state')
      .getRawMany();
    return rows.map((r) => ({ queue: r.queue, state: r.state, n: Number(r.n) }));
  }

  failedJobs(limit: number): Promise<QueuedJob[]> {
    return this.tx.manager.getRepository(QueuedJob).find({ where: { state: 'failed' }, order: { finishedAt: 'DESC' }, take: limit });
  }

  /** A failed job back to its queue with fresh attempts ('retry' is outside the dedupe index, so it never collides). */
  async requeueFailed(id: string, now: Date): Promise<boolean> {
    const res = await this.tx.run((m) =>
      m.getRepository(QueuedJob).update({ id, state: 'failed' }, { state: 'retry', attempts: 0, availableAt: now, error: null, finishedAt: null }),
    );
    return Boolean(res.affected);
  }

  async deleteJobsBefore(before: Date, limit: number): Promise<number> {
    return this.tx.run(async (m) => {
      const rows = await m.getRepository(QueuedJob).find({ select: { id: true }, where: { createdAt: LessThan(before), state: In(['done', 'failed']) }, take: limit });
      if (rows.length) await m.getRepository(QueuedJob).delete({ id: In(rows.map((r) => r.id)) });
      return rows.length;
    });
  }

  // ---- runs

  async insertRun(run: JobRun): Promise<void> {
    await this.tx.run((m) => m.getRepository(JobRun).insert(run));
  }

  async updateRun(id: string, patch: Partial<Pick<JobRun, 'outcome' | 'counts' | 'error' | 'finishedAt'>>): Promise<void> {
    await this.tx.run((m) => m.getRepository(JobRun).update({ id }, patch));
  }

  /** Runs left 'running' by a holder that died: recorded failed when another instance takes the work over. */
  async failAbandonedRuns(where: { job: string; slot?: Date; jobId?: string }, now: Date, error: string): Promise<number> {
    const res = await this.tx.run((m) =>
      m.getRepository(JobRun).update({ job: where.job, outcome: 'running', ...(where.slot ? { slot: where.slot } : {}), ...(where.jobId ? { jobId: where.jobId } : {}) }, { outcome: 'failed', error, finishedAt: now }),
    );
    return res.affected ?? 0;
  }

  recentRuns(limit: number, job?: string): Promise<JobRun[]> {
    return this.tx.manager.getRepository(JobRun).find({ where: job ? { job } : {}, order: { startedAt: 'DESC' }, take: limit });
  }

  async deleteRunsBefore(before: Date, limit: number): Promise<number> {
    return this.tx.run(async (m) => {
      const rows = await m.getRepository(JobRun).find({ select: { id: true }, where: { startedAt: LessThan(before) }, take: limit });
      if (rows.length) await m.getRepository(JobRun).delete({ id: In(rows.map((r) => r.id)) });
      return rows.length;
    });
  }
}
