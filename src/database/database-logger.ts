import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { describeFault } from './database-errors';

/** The statement's first words only: enough to tell which query failed, never its values. */
function statement(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

/**
 * TypeORM's log lines through the app's logger (JSON, redacted like every other line). TypeORM's
 * own loggers print the query parameters of a failed query, i.e. whatever the user typed (e-mail
 * addresses, notes): here the parameters are never logged, and the SQL is cut short.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQuery() {
    // queries are not logged: too many, and the SQL alone says little
  }

  logQueryError(error: string | Error, query: string) {
    this.logger.error(`query failed (${describeFault(error)}): ${statement(query)}`);
  }

  logQuerySlow(time: number, query: string) {
    this.logger.warn(`slow query (${time} ms): ${statement(query)}`);
  }

  logSchemaBuild(message: string) {
    this.logger.debug(message);
  }

  logMigration(message: string) {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown) {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
