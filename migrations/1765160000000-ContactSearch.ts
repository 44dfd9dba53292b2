import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../src/database/migration-helpers';

/**
 * Contact search that is scoped to its owner inside the index, ranked, and tolerant of typos.
 *
 * SQLite: `contacts_search` (FTS5) replaces `contacts_fts`. Its first column holds one token per
 * owner (`u` + the user id without dashes), so `owner:uXXXX AND …` walks only that user's part of
 * the index and the count and the ranked page are answered by the index alone (no join to
 * `contacts` for every match, as `rowid IN (…)` over the shared index did). Name and company have
 * columns of their own, so bm25 (weights 20 / 8 / 1, stored as the table's `rank`) lists name and
 * company matches first. `contacts_trigram` (FTS5 trigram tokenizer) over name and company answers
 * the typo fallback when a search finds nothing.
 *
 * PostgreSQL: the tsvector GIN index becomes one on (user_id, tsvector) through btree_gin, and
 * pg_trgm indexes lower(name || company) for the typo fallback. Either extension is only created
 * where the server offers it and the role may create it; without them the old index stays and the
 * typo fallback is off (ContactsRepository checks pg_extension at start).
 *
 * Like contacts_fts before them, a migration that rebuilds `contacts` on SQLite must recreate the
 * `contacts_search_*` triggers and rebuild both tables (rowids are renumbered).
 */
export class ContactSearch1765160000000 implements MigrationInterface {
  name = 'ContactSearch1765160000000';

  public async up(qr: QueryRunner): Promise<void> {
    if (isPostgres(qr)) {
      if (await canCreateExtension(qr, 'btree_gin')) {
        await qr.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
        await qr.query(`CREATE INDEX "IDX_contacts_user_search" ON "contacts" USING GIN ("user_id", to_tsvector('simple', "search_text"))`);
        await qr.query(`DROP INDEX IF EXISTS "IDX_contacts_search"`);
      }
      if (await canCreateExtension(qr, 'pg_trgm')) {
        await qr.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
        await qr.query(`CREATE INDEX "IDX_contacts_name_trgm" ON "contacts" USING GIN ((lower("name" || ' ' || coalesce("company", ''))) gin_trgm_ops)`);
      }
      return;
    }
    await qr.query(`DROP TRIGGER IF EXISTS contacts_fts_au`);
    await qr.query(`DROP TRIGGER IF EXISTS contacts_fts_ad`);
    await qr.query(`DROP TRIGGER IF EXISTS contacts_fts_ai`);
    await qr.query(`DROP TABLE IF EXISTS contacts_fts`);
    await qr.query(
      `CREATE VIRTUAL TABLE contacts_search USING fts5(owner, name, company, body, tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')`,
    );
    await qr.query(`INSERT INTO contacts_search(contacts_search, rank) VALUES ('rank', 'bm25(0.0, 20.0, 8.0, 1.0)')`);
    await qr.query(`CREATE VIRTUAL TABLE contacts_trigram USING fts5(words, tokenize='trigram remove_diacritics 1')`);
    const owner = `'u' || replace(new.user_id, '-', '')`;
    const words = `new.name || ' ' || coalesce(new.company, '')`;
    await qr.query(`CREATE TRIGGER contacts_search_ai AFTER INSERT ON contacts BEGIN
      INSERT INTO contacts_search(rowid, owner, name, company, body) VALUES (new.rowid, ${owner}, new.name, coalesce(new.company, ''), new.search_text);
      INSERT INTO contacts_trigram(rowid, words) VALUES (new.rowid, ${words});
    END`);
    await qr.query(`CREATE TRIGGER contacts_search_ad AFTER DELETE ON contacts BEGIN
      DELETE FROM contacts_search WHERE rowid = old.rowid;
      DELETE FROM contacts_trigram WHERE rowid = old.rowid;
    END`);
    await qr.query(`CREATE TRIGGER contacts_search_au AFTER UPDATE OF search_text, name, company, user_id ON contacts BEGIN
      DELETE FROM contacts_search WHERE rowid = old.rowid;
      DELETE FROM contacts_trigram WHERE rowid = old.rowid;
      INSERT INTO contacts_search(rowid, owner, name, company, body) VALUES (new.rowid, ${owner}, new.name, coalesce(new.company, ''), new.search_text);
      INSERT INTO contacts_trigram(rowid, words) VALUES (new.rowid, ${words});
    END`);
    await qr.query(
      `INSERT INTO contacts_search(rowid, owner, name, company, body) SELECT rowid, 'u' || replace(user_id, '-', ''), name, coalesce(company, ''), search_text FROM contacts`,
    );
    await qr.query(`INSERT INTO contacts_trigram(rowid, words) SELECT rowid, name || ' ' || coalesce(company, '') FROM contacts`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    if (isPostgres(qr)) {
      await qr.query(`DROP INDEX IF EXISTS "IDX_contacts_name_trgm"`);
      await qr.query(`CREATE INDEX IF NOT EXISTS "IDX_contacts_search" ON "contacts" USING GIN (to_tsvector('simple', "search_text"))`);
      await qr.query(`DROP INDEX IF EXISTS "IDX_contacts_user_search"`);
      // the extensions stay: other databases objects may use them, and they cost nothing unused
      return;
    }
    await qr.query(`DROP TRIGGER IF EXISTS contacts_search_au`);
    await qr.query(`DROP TRIGGER IF EXISTS contacts_search_ad`);
    await qr.query(`DROP TRIGGER IF EXISTS contacts_search_ai`);
    await qr.query(`DROP TABLE IF EXISTS contacts_trigram`);
    await qr.query(`DROP TABLE IF EXISTS contacts_search`);
    // contacts_fts as migration Crm made it
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
    await qr.query(`INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')`);
  }
}

/** The server offers the extension and this role may create it (superuser, or a trusted one with CREATE on the database). */
async function canCreateExtension(qr: QueryRunner, name: string): Promise<boolean> {
  const rows: Array<{ ok: boolean }> = await qr.query(
    `SELECT (EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1)
         OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = $1)
             AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                  OR has_database_privilege(current_database(), 'CREATE')))) AS ok`,
    [name],
  );
  return Boolean(rows[0]?.ok);
}
