import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { ts } from '../src/database/migration-helpers';

/**
 * When the user chose their time zone (sign-up recorded the browser's, or they changed it in
 * settings): the dashboard's setup checklist ticks "Set your time zone" from it. Accounts that
 * already left UTC count as having chosen.
 */
export class TimezoneChosen1765160000001 implements MigrationInterface {
  name = 'TimezoneChosen1765160000001';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('users', new TableColumn(ts(qr, 'timezone_chosen_at', { isNullable: true })));
    await qr.query(`UPDATE users SET timezone_chosen_at = created_at WHERE timezone <> 'UTC'`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('users', 'timezone_chosen_at');
  }
}
