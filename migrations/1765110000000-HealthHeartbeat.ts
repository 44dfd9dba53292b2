import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { isPostgres, ts } from '../src/database/migration-helpers';

/** One row that /readyz rewrites to prove the database can still store a change. */
export class HealthHeartbeat1765110000000 implements MigrationInterface {
  name = 'HealthHeartbeat1765110000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'health_heartbeat',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          ts(qr, 'beat_at'),
          { name: 'instance', type: 'varchar', length: '100', default: "''" },
          // a few pages written and freed by every probe, so "the file cannot grow" shows up too
          { name: 'pad', type: isPostgres(qr) ? 'bytea' : 'blob', isNullable: true },
        ],
      }),
    );
    await qr.query(`INSERT INTO health_heartbeat (id, beat_at) VALUES (1, CURRENT_TIMESTAMP)`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('health_heartbeat');
  }
}
