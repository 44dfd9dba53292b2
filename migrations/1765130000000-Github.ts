import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { createdAt, idColumn, isPostgres, ts } from '../src/database/migration-helpers';

/**
 * GitHub sync: insights, the HTTP cache (ETag + trimmed body per URL and token owner), one snapshot
 * per contact, the connection state per user, the refresh-token columns of `users`, the `url` and
 * the external key of `github` interactions, and `contacts.activity_score`.
 *
 * Columns are added with plain `ALTER TABLE … ADD COLUMN` (valid on both databases): TypeORM's
 * addColumn would rebuild `contacts` on SQLite, dropping its FTS and count triggers.
 */
export class Github1765130000000 implements MigrationInterface {
  name = 'Github1765130000000';

  public async up(qr: QueryRunner): Promise<void> {
    const pg = isPostgres(qr);
    const tsType = pg ? 'timestamptz' : 'datetime';
    await qr.createTable(
      new Table({
        name: 'github_insights',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'contact_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '32' },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'url', type: 'varchar', length: '500', isNullable: true },
          { name: 'metadata', type: 'text', default: "'{}'" },
          { name: 'fact_key', type: 'varchar', length: '300' },
          createdAt(qr),
          { name: 'acknowledged', type: 'boolean', default: false },
          ts(qr, 'acknowledged_at', { isNullable: true }),
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['contact_id'], referencedTableName: 'contacts', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        indices: [
          new TableIndex({ name: 'UQ_github_insights_fact', columnNames: ['user_id', 'contact_id', 'fact_key'], isUnique: true }),
          new TableIndex({ name: 'IDX_github_insights_user_created', columnNames: ['user_id', 'created_at'] }),
          new TableIndex({ name: 'IDX_github_insights_contact_created', columnNames: ['contact_id', 'created_at'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'github_cache',
        columns: [
          idColumn(),
          { name: 'owner_key', type: 'varchar', length: '64' },
          { name: 'url', type: 'varchar', length: '500' },
          { name: 'etag', type: 'varchar', length: '200', isNullable: true },
          { name: 'body_hash', type: 'varchar', length: '64' },
          { name: 'body', type: 'text' },
          ts(qr, 'fetched_at'),
          ts(qr, 'used_at'),
        ],
        indices: [
          new TableIndex({ name: 'UQ_github_cache_owner_url', columnNames: ['owner_key', 'url'], isUnique: true }),
          new TableIndex({ name: 'IDX_github_cache_used', columnNames: ['used_at'] }),
        ],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'github_profiles',
        columns: [
          { name: 'contact_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'login', type: 'varchar', length: '39' },
          { name: 'github_id', type: 'varchar', length: '32', isNullable: true },
          { name: 'status', type: 'varchar', length: '16', default: "'ok'" },
          { name: 'snapshot', type: 'text', default: "'{}'" },
          ts(qr, 'last_event_at', { isNullable: true }),
          ts(qr, 'synced_at', { isNullable: true }),
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['contact_id'], referencedTableName: 'contacts', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        indices: [new TableIndex({ name: 'IDX_github_profiles_user_synced', columnNames: ['user_id', 'synced_at'] })],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'github_connections',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          ts(qr, 'broken_at', { isNullable: true }),
          { name: 'broken_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'timeline_enabled', type: 'boolean', default: true },
          { name: 'rate_limit', type: 'integer', isNullable: true },
          { name: 'rate_remaining', type: 'integer', isNullable: true },
          ts(qr, 'rate_reset_at', { isNullable: true }),
          ts(qr, 'last_sync_at', { isNullable: true }),
        ],
        foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
    await qr.query(`ALTER TABLE users ADD COLUMN github_refresh_token_encrypted text`);
    await qr.query(`ALTER TABLE users ADD COLUMN github_token_expires_at ${tsType}`);
    await qr.query(`ALTER TABLE interactions ADD COLUMN url varchar(500)`);
    await qr.query(`ALTER TABLE interactions ADD COLUMN external_key varchar(100)`);
    await qr.query(`CREATE UNIQUE INDEX UQ_interactions_external ON interactions (user_id, external_key)`);
    await qr.query(`ALTER TABLE contacts ADD COLUMN activity_score integer`);
    await qr.query(`CREATE INDEX IDX_contacts_user_activity ON contacts (user_id, activity_score)`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP INDEX IDX_contacts_user_activity`);
    await qr.query(`DROP INDEX UQ_interactions_external`);
    // SQLite 3.35+ and PostgreSQL both drop columns in place (no table rebuild, triggers stay)
    await qr.query(`ALTER TABLE contacts DROP COLUMN activity_score`);
    await qr.query(`ALTER TABLE interactions DROP COLUMN external_key`);
    await qr.query(`ALTER TABLE interactions DROP COLUMN url`);
    await qr.query(`ALTER TABLE users DROP COLUMN github_token_expires_at`);
    await qr.query(`ALTER TABLE users DROP COLUMN github_refresh_token_encrypted`);
    await qr.dropTable('github_connections');
    await qr.dropTable('github_profiles');
    await qr.dropTable('github_cache');
    await qr.dropTable('github_insights');
  }
}
