import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, ts } from '../src/database/migration-helpers';

export class Jobs1764800000000 implements MigrationInterface {
  name = 'Jobs1764800000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'job_runs',
        columns: [
          idColumn(),
          { name: 'job', type: 'varchar', length: '50' },
          { name: 'instance', type: 'varchar', length: '100' },
          ts(qr, 'started_at'),
          ts(qr, 'finished_at', { isNullable: true }),
          { name: 'outcome', type: 'varchar', length: '12', default: "'running'" },
          { name: 'counts', type: 'text', default: "'{}'" },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_job_runs_job_started', columnNames: ['job', 'started_at'] })],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'job_leases',
        columns: [
          { name: 'job', type: 'varchar', length: '50', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '100' },
          ts(qr, 'expires_at'),
        ],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('job_leases');
    await qr.dropTable('job_runs');
  }
}
