import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the user chose their time zone (sign-up recorded the browser's, or they changed it in
 * settings): the dashboard's setup checklist ticks "Set your time zone" from it. Accounts that
 * already left UTC count as having chosen.
 *
 * Plain ALTER TABLE on both databases: TypeORM's addColumn rebuilds an SQLite table from the schema
 * it loaded, which loses columns that earlier migrations of the same run added with ALTER TABLE
 * (and, with foreign keys on, cascades the rebuild's DROP to child rows).
 */
export class TimezoneChosen1765160000001 implements MigrationInterface {
  name = 'TimezoneChosen1765160000001';

  public async up(qr: QueryRunner): Promise<void> {
    const type = qr.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await qr.query(`ALTER TABLE users ADD COLUMN timezone_chosen_at ${type}`);
    await qr.query(`UPDATE users SET timezone_chosen_at = created_at WHERE timezone <> 'UTC'`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE users DROP COLUMN timezone_chosen_at`);
  }
}
