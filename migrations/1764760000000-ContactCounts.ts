import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { isPostgres } from '../src/database/migration-helpers';

/**
 * The number of contacts per user, kept by triggers in the same statement as every insert or
 * delete (from the app, the CLI, an import or a cascade), so an unfiltered contact list reads its
 * total with one primary-key lookup instead of counting the user's rows on every request
 * (~1.5-2 ms at 20,000 contacts on SQLite, the largest cost of GET /api/contacts).
 *
 * A later migration that rebuilds the contacts table on SQLite must recreate these triggers,
 * like the FTS ones.
 */
export class ContactCounts1764760000000 implements MigrationInterface {
  name = 'ContactCounts1764760000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'contact_counts',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'n', type: 'integer', default: 0 },
        ],
        foreignKeys: [new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
    await qr.query(`INSERT INTO contact_counts (user_id, n) SELECT user_id, COUNT(*) FROM contacts GROUP BY user_id`);
    if (isPostgres(qr)) {
      // statement-level with transition tables: a bulk insert updates each counter once
      await qr.query(`CREATE FUNCTION contact_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO contact_counts (user_id, n) SELECT user_id, COUNT(*) FROM contact_counts_new GROUP BY user_id
            ON CONFLICT (user_id) DO UPDATE SET n = contact_counts.n + EXCLUDED.n;
          RETURN NULL;
        END $$`);
      await qr.query(`CREATE FUNCTION contact_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE contact_counts c SET n = c.n - d.k FROM (SELECT user_id, COUNT(*) AS k FROM contact_counts_old GROUP BY user_id) d WHERE c.user_id = d.user_id;
          RETURN NULL;
        END $$`);
      await qr.query(`CREATE FUNCTION contact_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE contact_counts SET n = n - 1 WHERE user_id = OLD.user_id;
          INSERT INTO contact_counts (user_id, n) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = contact_counts.n + 1;
          RETURN NULL;
        END $$`);
      await qr.query(`CREATE TRIGGER contact_counts_ai AFTER INSERT ON contacts REFERENCING NEW TABLE AS contact_counts_new FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_added()`);
      await qr.query(`CREATE TRIGGER contact_counts_ad AFTER DELETE ON contacts REFERENCING OLD TABLE AS contact_counts_old FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_removed()`);
      await qr.query(`CREATE TRIGGER contact_counts_au AFTER UPDATE OF user_id ON contacts FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION contact_counts_moved()`);
    } else {
      await qr.query(`CREATE TRIGGER contact_counts_ai AFTER INSERT ON contacts BEGIN
        INSERT INTO contact_counts (user_id, n) VALUES (new.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
      END`);
      await qr.query(`CREATE TRIGGER contact_counts_ad AFTER DELETE ON contacts BEGIN
        UPDATE contact_counts SET n = n - 1 WHERE user_id = old.user_id;
      END`);
      await qr.query(`CREATE TRIGGER contact_counts_au AFTER UPDATE OF user_id ON contacts WHEN old.user_id IS NOT new.user_id BEGIN
        UPDATE contact_counts SET n = n - 1 WHERE user_id = old.user_id;
        INSERT INTO contact_counts (user_id, n) VALUES (new.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET n = n + 1;
      END`);
    }
  }

  public async down(qr: QueryRunner): Promise<void> {
    for (const name of ['contact_counts_au', 'contact_counts_ad', 'contact_counts_ai']) {
      await qr.query(isPostgres(qr) ? `DROP TRIGGER IF EXISTS ${name} ON contacts` : `DROP TRIGGER IF EXISTS ${name}`);
    }
    if (isPostgres(qr)) {
      for (const fn of ['contact_counts_moved', 'contact_counts_removed', 'contact_counts_added']) await qr.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
    await qr.dropTable('contact_counts');
  }
}
