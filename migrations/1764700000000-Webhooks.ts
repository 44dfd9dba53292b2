import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { createdAt, idColumn, ts, updatedAt } from '../src/database/migration-helpers';

const userFk = () => new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' });

export class Webhooks1764700000000 implements MigrationInterface {
  name = 'Webhooks1764700000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'url', type: 'varchar', length: '2000' },
          { name: 'description', type: 'varchar', length: '200', default: "''" },
          { name: 'event_types', type: 'text', default: "'[]'" },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'secret_encrypted', type: 'text' },
          { name: 'previous_secret_encrypted', type: 'text', isNullable: true },
          ts(qr, 'previous_secret_expires_at', { isNullable: true }),
          { name: 'consecutive_failures', type: 'integer', default: 0 },
          { name: 'disabled_reason', type: 'varchar', length: '300', isNullable: true },
          createdAt(qr),
          updatedAt(qr),
        ],
        foreignKeys: [userFk()],
        indices: [new TableIndex({ name: 'IDX_webhook_endpoints_user', columnNames: ['user_id', 'enabled'] })],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          idColumn(),
          { name: 'endpoint_id', type: 'varchar', length: '36' },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'message_id', type: 'varchar', length: '64' },
          { name: 'event_type', type: 'varchar', length: '50' },
          { name: 'payload', type: 'text' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'attempts', type: 'integer', default: 0 },
          ts(qr, 'next_attempt_at', { isNullable: true }),
          ts(qr, 'locked_until', { isNullable: true }),
          { name: 'last_status_code', type: 'integer', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          createdAt(qr),
          updatedAt(qr),
        ],
        foreignKeys: [
          userFk(),
          new TableForeignKey({ columnNames: ['endpoint_id'], referencedTableName: 'webhook_endpoints', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [
          new TableIndex({ name: 'IDX_webhook_deliveries_due', columnNames: ['status', 'next_attempt_at'] }),
          new TableIndex({ name: 'IDX_webhook_deliveries_endpoint', columnNames: ['endpoint_id', 'created_at'] }),
          new TableIndex({ name: 'IDX_webhook_deliveries_claim', columnNames: ['status', 'endpoint_id', 'next_attempt_at'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'webhook_attempts',
        columns: [
          idColumn(),
          { name: 'delivery_id', type: 'varchar', length: '36' },
          { name: 'endpoint_id', type: 'varchar', length: '36' },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'attempt', type: 'integer' },
          { name: 'succeeded', type: 'boolean', default: false },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'duration_ms', type: 'integer', default: 0 },
          { name: 'response_body', type: 'varchar', length: '1024', default: "''" },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          createdAt(qr),
        ],
        foreignKeys: [
          userFk(),
          new TableForeignKey({ columnNames: ['delivery_id'], referencedTableName: 'webhook_deliveries', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
          new TableForeignKey({ columnNames: ['endpoint_id'], referencedTableName: 'webhook_endpoints', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [
          new TableIndex({ name: 'IDX_webhook_attempts_endpoint', columnNames: ['endpoint_id', 'created_at'] }),
          new TableIndex({ name: 'IDX_webhook_attempts_delivery', columnNames: ['delivery_id'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'notifications',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '50' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'body', type: 'varchar', length: '1000', default: "''" },
          { name: 'link', type: 'varchar', length: '300', isNullable: true },
          ts(qr, 'read_at', { isNullable: true }),
          createdAt(qr),
        ],
        foreignKeys: [userFk()],
        indices: [new TableIndex({ name: 'IDX_notifications_user', columnNames: ['user_id', 'created_at'] })],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('notifications');
    await qr.dropTable('webhook_attempts');
    await qr.dropTable('webhook_deliveries');
    await qr.dropTable('webhook_endpoints');
  }
}
