import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex, TableUnique } from 'typeorm';
import { createdAt, idColumn, isPostgres, ts, updatedAt } from '../src/database/migration-helpers';

const ownerFk = () =>
  new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' });
const contactFk = () =>
  new TableForeignKey({ columnNames: ['contact_id'], referencedTableName: 'contacts', referencedColumnNames: ['id'], onDelete: 'CASCADE' });

export class Crm1764200000000 implements MigrationInterface {
  name = 'Crm1764200000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'contacts',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'sort_name', type: 'varchar', length: '200' },
          { name: 'email', type: 'varchar', length: '320', isNullable: true },
          { name: 'phone', type: 'varchar', length: '50', isNullable: true },
          { name: 'company', type: 'varchar', length: '200', isNullable: true },
          { name: 'title', type: 'varchar', length: '200', isNullable: true },
          { name: 'location', type: 'varchar', length: '200', isNullable: true },
          { name: 'github_username', type: 'varchar', length: '39', isNullable: true },
          { name: 'twitter', type: 'varchar', length: '100', isNullable: true },
          { name: 'linkedin', type: 'varchar', length: '300', isNullable: true },
          { name: 'website', type: 'varchar', length: '500', isNullable: true },
          { name: 'notes', type: 'text', isNullable: true },
          { name: 'is_vip', type: 'boolean', default: false },
          { name: 'keep_in_touch_days', type: 'integer', isNullable: true },
          ts(qr, 'last_interaction_at', { isNullable: true }),
          { name: 'search_text', type: 'text', default: "''" },
          createdAt(qr),
          updatedAt(qr),
        ],
        foreignKeys: [ownerFk()],
        indices: [
          new TableIndex({ name: 'IDX_contacts_user_sort_name', columnNames: ['user_id', 'sort_name'] }),
          new TableIndex({ name: 'IDX_contacts_user_created', columnNames: ['user_id', 'created_at'] }),
          new TableIndex({ name: 'IDX_contacts_user_last_interaction', columnNames: ['user_id', 'last_interaction_at'] }),
          new TableIndex({ name: 'IDX_contacts_user_email', columnNames: ['user_id', 'email'] }),
          new TableIndex({ name: 'IDX_contacts_user_github', columnNames: ['user_id', 'github_username'] }),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'tags',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '50' },
          { name: 'name_key', type: 'varchar', length: '50' },
          createdAt(qr),
        ],
        foreignKeys: [ownerFk()],
        uniques: [new TableUnique({ name: 'UQ_tags_user_name_key', columnNames: ['user_id', 'name_key'] })],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'contact_tags',
        columns: [
          { name: 'contact_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'tag_id', type: 'varchar', length: '36', isPrimary: true },
          createdAt(qr),
        ],
        foreignKeys: [
          contactFk(),
          new TableForeignKey({ columnNames: ['tag_id'], referencedTableName: 'tags', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [new TableIndex({ name: 'IDX_contact_tags_tag', columnNames: ['tag_id', 'contact_id'] })],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'interactions',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'contact_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '16' },
          ts(qr, 'occurred_at'),
          { name: 'summary', type: 'text', default: "''" },
          createdAt(qr),
          updatedAt(qr),
        ],
        foreignKeys: [ownerFk(), contactFk()],
        indices: [
          new TableIndex({ name: 'IDX_interactions_contact_occurred', columnNames: ['contact_id', 'occurred_at'] }),
          new TableIndex({ name: 'IDX_interactions_user_occurred', columnNames: ['user_id', 'occurred_at'] }),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'follow_ups',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'contact_id', type: 'varchar', length: '36' },
          ts(qr, 'due_at'),
          { name: 'note', type: 'text', default: "''" },
          { name: 'status', type: 'varchar', length: '8', default: "'open'" },
          ts(qr, 'completed_at', { isNullable: true }),
          { name: 'is_cadence', type: 'boolean', default: false },
          ts(qr, 'due_notified_at', { isNullable: true }),
          createdAt(qr),
          updatedAt(qr),
        ],
        foreignKeys: [ownerFk(), contactFk()],
        indices: [
          new TableIndex({ name: 'IDX_follow_ups_user_status_due', columnNames: ['user_id', 'status', 'due_at'] }),
          new TableIndex({ name: 'IDX_follow_ups_contact_status', columnNames: ['contact_id', 'status'] }),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'outbox_events',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '50' },
          { name: 'payload', type: 'text' },
          createdAt(qr),
          ts(qr, 'dispatched_at', { isNullable: true }),
        ],
        foreignKeys: [ownerFk()],
        indices: [
          new TableIndex({ name: 'IDX_outbox_pending', columnNames: ['dispatched_at', 'created_at'] }),
          new TableIndex({ name: 'IDX_outbox_user', columnNames: ['user_id', 'created_at'] }),
        ],
      }),
    );

    if (isPostgres(qr)) {
      await qr.query(`CREATE INDEX "IDX_contacts_search" ON "contacts" USING GIN (to_tsvector('simple', "search_text"))`);
    } else {
      // external-content FTS5 index over contacts.search_text, kept in step by triggers
      await qr.query(`CREATE VIRTUAL TABLE contacts_fts USING fts5(search_text, content='contacts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`);
      await qr.query(`CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
        INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
      END`);
      await qr.query(`CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
        INSERT INTO contacts_fts(contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
      END`);
      await qr.query(`CREATE TRIGGER contacts_fts_au AFTER UPDATE OF search_text ON contacts BEGIN
        INSERT INTO contacts_fts(contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
      END`);
    }
  }

  public async down(qr: QueryRunner): Promise<void> {
    if (!isPostgres(qr)) {
      await qr.query(`DROP TRIGGER IF EXISTS contacts_fts_au`);
      await qr.query(`DROP TRIGGER IF EXISTS contacts_fts_ad`);
      await qr.query(`DROP TRIGGER IF EXISTS contacts_fts_ai`);
      await qr.query(`DROP TABLE IF EXISTS contacts_fts`);
    }
    await qr.dropTable('outbox_events');
    await qr.dropTable('follow_ups');
    await qr.dropTable('interactions');
    await qr.dropTable('contact_tags');
    await qr.dropTable('tags');
    await qr.dropTable('contacts');
  }
}
