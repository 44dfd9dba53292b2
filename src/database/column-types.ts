import { Column, ColumnOptions, CreateDateColumn, UpdateDateColumn } from 'typeorm';

/**
 * Entities are shared by SQLite and PostgreSQL, but a few column types differ between them.
 * The driver is known before any entity class is loaded (from DATABASE_URL), the same way the
 * migrations pick their types from the query runner's driver.
 */
export function isPostgresUrl(url = process.env.DATABASE_URL ?? ''): boolean {
  return /^postgres(ql)?:/.test(url);
}

export const timestampType = () => (isPostgresUrl() ? 'timestamptz' : 'datetime');

export const DateColumn = (options: ColumnOptions = {}) => Column({ type: timestampType(), ...options });
export const CreatedAtColumn = () => CreateDateColumn({ name: 'created_at', type: timestampType() });
export const UpdatedAtColumn = () => UpdateDateColumn({ name: 'updated_at', type: timestampType() });
