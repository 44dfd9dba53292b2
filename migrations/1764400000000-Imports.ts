import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { idColumn, ts } from '../src/database/migration-helpers';

/** Uploaded import files waiting for the user to confirm their preview (kept for an hour). */
export class Imports1764400000000 implements MigrationInterface {
  name = 'Imports1764400000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'pending_imports',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'format', type: 'varchar', length: '20' },
          { name: 'filename', type: 'varchar', length: '255' },
          { name: 'content', type: 'text' },
          ts(qr, 'created_at', { default: 'CURRENT_TIMESTAMP' }),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        indices: [
          new TableIndex({ name: 'IDX_pending_imports_user_created', columnNames: ['user_id', 'created_at'] }),
          // the expiry sweep
          new TableIndex({ name: 'IDX_pending_imports_created', columnNames: ['created_at'] }),
        ],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('pending_imports');
  }
}
