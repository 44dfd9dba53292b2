import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The preview of a pending import, computed once at upload (the file parsed in a worker thread):
 * showing the preview again reads it instead of parsing the file again. Plain ALTER TABLE on both
 * databases (TypeORM's addColumn would rebuild the table on SQLite).
 */
export class PendingImportPreview1765100000002 implements MigrationInterface {
  name = 'PendingImportPreview1765100000002';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE "pending_imports" ADD COLUMN "preview" text NULL`);
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE "pending_imports" DROP COLUMN "preview"`);
  }
}
