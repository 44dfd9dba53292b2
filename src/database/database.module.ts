import { Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { buildDataSourceOptions } from './data-source-options';
import { TransactionService } from './transaction.service';
import { DatabaseLogger } from './database-logger';
import { isTransientConnectError, openDatabase } from './database-startup';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.databaseUrl),
        // run by openDatabase, under a lock shared by every instance
        migrationsRun: false,
        // only transient errors (server starting, out of connections) are retried, ~30 s in all;
        // a wrong password, a missing database or a read-only file stop start-up at once
        retryAttempts: 10,
        retryDelay: 3000,
        toRetry: isTransientConnectError,
        logging: ['error', 'warn', 'migration'],
        logger: new DatabaseLogger(),
      }),
      dataSourceFactory: (options) => openDatabase(options as DataSourceOptions),
    }),
  ],
  providers: [TransactionService],
  exports: [TransactionService],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs after the HTTP server has stopped taking requests and finished the ones in flight. */
  async onApplicationShutdown() {
    // TypeORM's own module may have closed it already
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    new Logger('Shutdown').log('database closed');
  }
}
