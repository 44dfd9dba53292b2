import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { createdAt, idColumn, ts, updatedAt } from '../src/database/migration-helpers';

export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'users',
        columns: [
          idColumn(),
          { name: 'email', type: 'varchar', length: '320', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'password_hash', type: 'varchar', length: '255', isNullable: true },
          { name: 'is_admin', type: 'boolean', default: false },
          { name: 'plan', type: 'varchar', length: '16', default: "'free'" },
          { name: 'timezone', type: 'varchar', length: '64', default: "'UTC'" },
          { name: 'signup_source', type: 'varchar', length: '100', isNullable: true },
          { name: 'github_id', type: 'varchar', length: '32', isNullable: true, isUnique: true },
          { name: 'github_login', type: 'varchar', length: '100', isNullable: true },
          { name: 'github_avatar_url', type: 'varchar', length: '500', isNullable: true },
          { name: 'github_token_encrypted', type: 'text', isNullable: true },
          ts(qr, 'last_login_at', { isNullable: true }),
          createdAt(qr),
          updatedAt(qr),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'data', type: 'text' },
          ts(qr, 'expires_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_sessions_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'IDX_sessions_expires', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'password_reset_tokens',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          ts(qr, 'expires_at'),
          ts(qr, 'used_at', { isNullable: true }),
          createdAt(qr),
        ],
        indices: [new TableIndex({ name: 'IDX_password_reset_user', columnNames: ['user_id'] })],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );

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
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('auth_throttle');
    await qr.dropTable('password_reset_tokens');
    await qr.dropTable('sessions');
    await qr.dropTable('users');
  }
}
