import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { createdAt, idColumn, ts, updatedAt } from '../src/database/migration-helpers';

/**
 * Public profiles (`/@username`), the old-username redirects, and view analytics.
 * `public_profiles` and `profile_views` keep the columns of the architecture notes; the rest is ours.
 */
export class Profiles1764300000000 implements MigrationInterface {
  name = 'Profiles1764300000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'public_profiles',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36', isUnique: true },
          // lower-case, 3–39 of a-z 0-9 -: the canonical form, so plain equality is case-insensitive
          { name: 'username', type: 'varchar', length: '39', isUnique: true },
          // same value as username (the notes' column), kept so both names keep working
          { name: 'slug', type: 'varchar', length: '39', isUnique: true, isNullable: true },
          { name: 'is_public', type: 'boolean', default: true },
          { name: 'display_name', type: 'varchar', length: '100', default: "''" },
          { name: 'headline', type: 'varchar', length: '160', isNullable: true },
          { name: 'bio', type: 'text', isNullable: true },
          { name: 'bio_format', type: 'varchar', length: '10', default: "'text'" },
          { name: 'location', type: 'varchar', length: '100', isNullable: true },
          { name: 'website', type: 'varchar', length: '500', isNullable: true },
          // JSON object of normalised URLs: { github, twitter, linkedin, mastodon, bluesky, other }
          { name: 'links', type: 'text', default: "'{}'" },
          { name: 'avatar_url', type: 'varchar', length: '500', isNullable: true },
          { name: 'custom_domain', type: 'varchar', length: '253', isNullable: true },
          { name: 'custom_domain_token', type: 'varchar', length: '64', isNullable: true },
          ts(qr, 'custom_domain_verified_at', { isNullable: true }),
          { name: 'qr_code_url', type: 'varchar', length: '500', isNullable: true },
          { name: 'view_count', type: 'integer', default: 0 },
          createdAt(qr),
          updatedAt(qr),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [
          // sitemap: public profiles in username order, read in keyset pages
          new TableIndex({ name: 'IDX_public_profiles_public_username', columnNames: ['is_public', 'username'] }),
          new TableIndex({ name: 'IDX_public_profiles_custom_domain', columnNames: ['custom_domain'] }),
        ],
      }),
    );
    // Anyone may claim a domain, but only one profile can hold it verified; an unverified claim
    // never blocks the real owner. Partial unique indexes work the same on SQLite and PostgreSQL.
    await qr.query(
      `CREATE UNIQUE INDEX "UQ_public_profiles_verified_domain" ON "public_profiles" ("custom_domain") WHERE "custom_domain_verified_at" IS NOT NULL`,
    );

    await qr.createTable(
      new Table({
        name: 'profile_username_redirects',
        columns: [
          { name: 'old_username', type: 'varchar', length: '39', isPrimary: true },
          { name: 'profile_id', type: 'varchar', length: '36' },
          ts(qr, 'expires_at'),
          createdAt(qr),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['profile_id'], referencedTableName: 'public_profiles', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [new TableIndex({ name: 'IDX_profile_username_redirects_profile', columnNames: ['profile_id'] })],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'profile_views',
        columns: [
          idColumn(),
          { name: 'profile_id', type: 'varchar', length: '36' },
          // pseudonymous visitor: salted hash of IP + user agent; the salt changes every day
          { name: 'viewer_id', type: 'varchar', length: '64', isNullable: true },
          // salted hash of the IP, never the address itself
          { name: 'ip_address', type: 'varchar', length: '64', isNullable: true },
          // referrer host only (no path, no query)
          { name: 'referrer', type: 'varchar', length: '255', isNullable: true },
          // the view's calendar day (YYYY-MM-DD) in the profile owner's time zone
          { name: 'day', type: 'varchar', length: '10' },
          createdAt(qr),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['profile_id'], referencedTableName: 'public_profiles', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [new TableIndex({ name: 'IDX_profile_views_profile_day', columnNames: ['profile_id', 'day'] })],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'analytics_daily_salts',
        columns: [
          // UTC day the salt is used for; older salts are deleted so old hashes cannot be recomputed
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'salt', type: 'varchar', length: '64' },
          createdAt(qr),
        ],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('analytics_daily_salts');
    await qr.dropTable('profile_views');
    await qr.dropTable('profile_username_redirects');
    await qr.query(`DROP INDEX IF EXISTS "UQ_public_profiles_verified_domain"`);
    await qr.dropTable('public_profiles');
  }
}
