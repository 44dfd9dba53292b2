import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { createdAt, idColumn, isPostgres, ts } from '../src/database/migration-helpers';

/**
 * users.email_verified_at and single-use verification links. The column is added with a plain
 * ALTER TABLE on both databases: TypeORM's addColumn rebuilds the table on SQLite, which with
 * foreign keys on would cascade-delete every child row of users.
 */
export class EmailVerification1765100000001 implements MigrationInterface {
  name = 'EmailVerification1765100000001';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE "users" ADD COLUMN "email_verified_at" ${isPostgres(qr) ? 'timestamptz' : 'datetime'} NULL`);
    await qr.createTable(
      new Table({
        name: 'email_verification_tokens',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          // the address the link verifies: a link sent before an address change verifies nothing after it
          { name: 'email', type: 'varchar', length: '320' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          ts(qr, 'expires_at'),
          ts(qr, 'used_at', { isNullable: true }),
          createdAt(qr),
        ],
        indices: [new TableIndex({ name: 'IDX_email_verification_user', columnNames: ['user_id'] })],
        foreignKeys: [new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('email_verification_tokens');
    await qr.query(`ALTER TABLE "users" DROP COLUMN "email_verified_at"`);
  }
}
