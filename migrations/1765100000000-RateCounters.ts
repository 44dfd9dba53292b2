import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { ts } from '../src/database/migration-helpers';

/**
 * Attempt counters taken in one atomic upsert (log-in, password-reset and verification mails),
 * replacing auth_throttle, whose read-then-write lost counts in a burst and hit duplicate keys on
 * PostgreSQL. Times are epoch milliseconds so one statement compares them the same on both databases.
 */
export class RateCounters1765100000000 implements MigrationInterface {
  name = 'RateCounters1765100000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'rate_counters',
        columns: [
          { name: 'key', type: 'varchar', length: '160', isPrimary: true },
          { name: 'count', type: 'integer', default: 0 },
          { name: 'window_start', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_rate_counters_expires', columnNames: ['expires_at'] })],
      }),
    );
    await qr.dropTable('auth_throttle');
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'auth_throttle',
        columns: [
          { name: 'key', type: 'varchar', length: '100', isPrimary: true },
          { name: 'failures', type: 'integer', default: 0 },
          ts(qr, 'window_started_at'),
          ts(qr, 'locked_until', { isNullable: true }),
        ],
      }),
    );
    await qr.dropTable('rate_counters');
  }
}
