import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { createdAt, idColumn, isPostgres } from '../src/database/migration-helpers';

/**
 * Notification preferences per kind, the admin's plan-change log and disabled accounts, daily
 * rollups of old profile views, and the index send-notifications scans for due follow-ups.
 * `users.disabled_at` is added with plain ALTER TABLE (both databases add a column in place, so
 * SQLite does not rebuild `users` and no child row is touched).
 */
export class NotificationsAdmin1765120000001 implements MigrationInterface {
  name = 'NotificationsAdmin1765120000001';

  public async up(qr: QueryRunner): Promise<void> {
    const fkUser = { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' };
    await qr.createTable(
      new Table({
        name: 'notification_preferences',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '50', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '10' },
        ],
        foreignKeys: [fkUser],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'plan_changes',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'from_plan', type: 'varchar', length: '16' },
          { name: 'to_plan', type: 'varchar', length: '16' },
          { name: 'reason', type: 'varchar', length: '500' },
          { name: 'changed_by', type: 'varchar', length: '36', isNullable: true },
          createdAt(qr),
        ],
        indices: [new TableIndex({ name: 'IDX_plan_changes_created', columnNames: ['created_at'] }), new TableIndex({ name: 'IDX_plan_changes_user', columnNames: ['user_id', 'created_at'] })],
        foreignKeys: [fkUser],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'profile_view_days',
        columns: [
          { name: 'profile_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'views', type: 'integer', default: 0 },
          { name: 'visitors', type: 'integer', default: 0 },
        ],
      }),
    );
    await qr.query(`ALTER TABLE users ADD COLUMN disabled_at ${isPostgres(qr) ? 'timestamptz' : 'datetime'} NULL`);
    await qr.createIndex(
      'follow_ups',
      new TableIndex({ name: 'IDX_follow_ups_due_unnotified', columnNames: ['due_at'], where: "status = 'open' AND due_notified_at IS NULL" }),
    );
    await qr.createIndex('notifications', new TableIndex({ name: 'IDX_notifications_user_read', columnNames: ['user_id', 'read_at'] }));
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_created', columnNames: ['created_at'] }));
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('users', 'IDX_users_created');
    await qr.dropIndex('notifications', 'IDX_notifications_user_read');
    await qr.dropIndex('follow_ups', 'IDX_follow_ups_due_unnotified');
    await qr.query('ALTER TABLE users DROP COLUMN disabled_at');
    await qr.dropTable('profile_view_days');
    await qr.dropTable('plan_changes');
    await qr.dropTable('notification_preferences');
  }
}
