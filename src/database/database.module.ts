import { Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { buildDataSourceOptions } from './data-source-options';
import { TransactionService } from './transaction.service';
import { DatabaseLogger } from './database-logger';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.databaseUrl),
        migrationsRun: true,
        logging: ['error', 'warn', 'migration'],
        logger: new DatabaseLogger(),
      }),
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
