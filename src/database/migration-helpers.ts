import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders for migrations that run unchanged on SQLite and PostgreSQL.
 * Keep these stable: landed migrations depend on what they produce.
 */
export const isPostgres = (qr: QueryRunner) => qr.connection.driver.options.type === 'postgres';

export const ts = (qr: QueryRunner, name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: isPostgres(qr) ? 'timestamptz' : 'datetime',
  ...extra,
});

export const idColumn = (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true });

export const createdAt = (qr: QueryRunner) => ts(qr, 'created_at', { default: 'CURRENT_TIMESTAMP' });
export const updatedAt = (qr: QueryRunner) => ts(qr, 'updated_at', { default: 'CURRENT_TIMESTAMP' });
