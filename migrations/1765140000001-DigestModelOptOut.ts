import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../src/database/migration-helpers';

/**
 * Per-account switch on /settings/account: with it off, the digest never calls a model.
 * Plain ALTER TABLE on both databases: TypeORM's addColumn/dropColumn rebuild an SQLite table,
 * which would cascade-delete every row that points at `users`.
 */
export class DigestModelOptOut1765140000001 implements MigrationInterface {
  name = 'DigestModelOptOut1765140000001';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE users ADD COLUMN digest_use_model boolean NOT NULL DEFAULT ${isPostgres(qr) ? 'true' : '1'}`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE users DROP COLUMN digest_use_model');
  }
}
