import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex, TableUnique } from 'typeorm';
import { createdAt, idColumn, ts } from '../src/database/migration-helpers';

const ownerFk = () =>
  new TableForeignKey({ columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' });

/**
 * The daily digest: one `agent_reports` row per user and local day (the unique key is what keeps
 * two instances from building one day twice), and the model answer cache keyed by a hash of
 * model + prompt.
 */
export class AgentReports1765140000000 implements MigrationInterface {
  name = 'AgentReports1765140000000';

  public async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'agent_reports',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'report_type', type: 'varchar', length: '32', default: "'daily_digest'" },
          // the user's calendar day in their time zone when it was built, "YYYY-MM-DD"
          { name: 'local_day', type: 'varchar', length: '10' },
          { name: 'time_zone', type: 'varchar', length: '64', default: "'UTC'" },
          // building | ready: a row is claimed first (the unique key decides) and filled after
          { name: 'status', type: 'varchar', length: '12', default: "'ready'" },
          { name: 'priorities', type: 'text', default: "'[]'" },
          { name: 'insights', type: 'text', default: "'[]'" },
          { name: 'engine', type: 'varchar', length: '8', default: "'rules'" },
          { name: 'model', type: 'varchar', length: '200', isNullable: true },
          { name: 'fallback_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'prompt_tokens', type: 'integer', default: 0 },
          { name: 'completion_tokens', type: 'integer', default: 0 },
          { name: 'cached', type: 'boolean', default: false },
          createdAt(qr),
          ts(qr, 'updated_at', { default: 'CURRENT_TIMESTAMP' }),
        ],
        foreignKeys: [ownerFk()],
        uniques: [new TableUnique({ name: 'UQ_agent_reports_user_type_day', columnNames: ['user_id', 'report_type', 'local_day'] })],
        indices: [new TableIndex({ name: 'IDX_agent_reports_user_created', columnNames: ['user_id', 'created_at'] })],
      }),
    );
    await qr.createTable(
      new Table({
        name: 'agent_model_cache',
        columns: [
          // SHA-256 hex of model + prompt
          { name: 'key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'model', type: 'varchar', length: '200' },
          { name: 'answer', type: 'text' },
          { name: 'prompt_tokens', type: 'integer', default: 0 },
          { name: 'completion_tokens', type: 'integer', default: 0 },
          createdAt(qr),
        ],
        indices: [new TableIndex({ name: 'IDX_agent_model_cache_created', columnNames: ['created_at'] })],
      }),
    );
    // snoozed / dismissed / reached-out contacts: the ranker leaves them out until `until`
    await qr.createTable(
      new Table({
        name: 'agent_contact_holds',
        columns: [
          idColumn(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'contact_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '12' },
          ts(qr, 'until'),
          createdAt(qr),
        ],
        foreignKeys: [
          ownerFk(),
          new TableForeignKey({ columnNames: ['contact_id'], referencedTableName: 'contacts', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
        uniques: [new TableUnique({ name: 'UQ_agent_contact_holds_user_contact', columnNames: ['user_id', 'contact_id'] })],
        indices: [new TableIndex({ name: 'IDX_agent_contact_holds_contact', columnNames: ['contact_id'] })],
      }),
    );
  }

  public async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('agent_contact_holds');
    await qr.dropTable('agent_model_cache');
    await qr.dropTable('agent_reports');
  }
}
