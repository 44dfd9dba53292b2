import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { createdAt, idColumn, ts } from '../src/database/migration-helpers';

/** Pending `devhub login` requests: approved in the browser, picked up once by the CLI. */
export class CliAuthRequests1765150000000 implements MigrationInterface {
  name = 'CliAuthRequests1765150000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'cli_auth_requests',
        columns: [
          idColumn(),
          { name: 'code_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'poll_token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'device_name', type: 'varchar', length: '100' },
          { name: 'scope', type: 'varchar', length: '8' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'api_key_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'key_ciphertext', type: 'text', isNullable: true },
          ts(qr, 'expires_at'),
          ts(qr, 'decided_at', { isNullable: true }),
          createdAt(qr),
        ],
        foreignKeys: [new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
        indices: [new TableIndex({ name: 'IDX_cli_auth_requests_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('cli_auth_requests');
  }
}
