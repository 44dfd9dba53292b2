import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { ts } from '../src/database/migration-helpers';

/**
 * Scheduled runs are identified by their time slot: one row per (job, slot start) makes each slot
 * run once across instances, and its lease lets another instance take over from a crashed holder.
 * On-demand jobs (sync now, build my digest now, an admin's run now) are rows of `jobs` when no
 * Redis is configured. Every run in `job_runs` now names its slot or job and its attempt.
 */
export class JobSlots1765120000000 implements MigrationInterface {
  name = 'JobSlots1765120000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'job_slots',
        columns: [
          { name: 'job', type: 'varchar', length: '50', isPrimary: true },
          ts(qr, 'slot', { isPrimary: true }),
          { name: 'state', type: 'varchar', length: '10' },
          { name: 'holder', type: 'varchar', length: '100' },
          ts(qr, 'lease_expires_at'),
          { name: 'attempts', type: 'integer', default: 1 },
          ts(qr, 'available_at'),
          ts(qr, 'finished_at', { isNullable: true }),
        ],
        indices: [new TableIndex({ name: 'IDX_job_slots_state_lease', columnNames: ['state', 'lease_expires_at'] })],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'jobs',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '50' },
          { name: 'queue', type: 'varchar', length: '30' },
          { name: 'owner_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'dedupe_key', type: 'varchar', length: '200', isNullable: true },
          { name: 'payload', type: 'text', default: "'null'" },
          { name: 'state', type: 'varchar', length: '10' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'counts', type: 'text', default: "'{}'" },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          { name: 'holder', type: 'varchar', length: '100', isNullable: true },
          ts(qr, 'lease_expires_at', { isNullable: true }),
          ts(qr, 'available_at'),
          ts(qr, 'created_at'),
          ts(qr, 'started_at', { isNullable: true }),
          ts(qr, 'finished_at', { isNullable: true }),
        ],
        indices: [
          new TableIndex({ name: 'IDX_jobs_state_available', columnNames: ['state', 'available_at'] }),
          new TableIndex({ name: 'IDX_jobs_created', columnNames: ['created_at'] }),
          // take first, check after: a second enqueue with the same key while one is queued collides here
          new TableIndex({ name: 'UQ_jobs_queued_dedupe', columnNames: ['name', 'dedupe_key'], isUnique: true, where: "state = 'queued' AND dedupe_key IS NOT NULL" }),
        ],
      }),
    );
    await qr.addColumns('job_runs', [
      new TableColumn(ts(qr, 'slot', { isNullable: true })),
      new TableColumn({ name: 'job_id', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'attempt', type: 'integer', default: 1 }),
    ]);
    await qr.createIndex('job_runs', new TableIndex({ name: 'IDX_job_runs_started', columnNames: ['started_at'] }));
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('job_runs', 'IDX_job_runs_started');
    await qr.dropColumn('job_runs', 'attempt');
    await qr.dropColumn('job_runs', 'job_id');
    await qr.dropColumn('job_runs', 'slot');
    await qr.dropTable('jobs');
    await qr.dropTable('job_slots');
  }
}
