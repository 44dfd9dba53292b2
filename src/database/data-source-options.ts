import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { isPostgresUrl } from './column-types';

const root = join(__dirname, '..', '..');

/** Shared by the app and ormconfig.ts, so the CLI and the server see the same schema. */
export function buildDataSourceOptions(databaseUrl: string): DataSourceOptions {
  const entities = [join(root, 'src', '**', '*.entity.{ts,js}')];
  const migrations = [join(root, 'migrations', '*.{ts,js}')];
  if (isPostgresUrl(databaseUrl)) {
    return {
      type: 'postgres',
      url: databaseUrl,
      entities,
      migrations,
      synchronize: false,
      migrationsTransactionMode: 'each',
      // a server that does not answer fails one attempt after 5 s instead of hanging start-up
      extra: { max: 10, connectionTimeoutMillis: 5000 },
    };
  }
  const file = databaseUrl.replace(/^sqlite:/, '');
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: file,
    entities,
    migrations,
    synchronize: false,
    enableWAL: true,
    // better-sqlite3 waits this long for a lock held by another process (the CLI, a second instance)
    timeout: 5000,
    migrationsTransactionMode: 'each',
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
    },
  };
}
