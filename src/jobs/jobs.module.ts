import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ImportExportModule } from '../import-export/import-export.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CleanupJob } from './cleanup.job';
import { JOB_ENGINE } from './job-engine';
import { JobExecutor } from './job-executor.service';
import { JobRegistry } from './job-registry';
import { JobStore } from './job-store.repository';
import { JobsInstance } from './jobs-instance';
import { JobsService } from './jobs.service';
import { LocalJobEngine } from './local-job-engine';

/**
 * The job API (global: features inject JobsService and register their jobs in onModuleInit) and
 * cleanup-old-data. The engine is in-process without REDIS_URL.
 */
@Global()
@Module({
  imports: [AuthModule, WebhooksModule, ImportExportModule],
  providers: [JobsInstance, JobRegistry, JobStore, JobExecutor, LocalJobEngine, { provide: JOB_ENGINE, useExisting: LocalJobEngine }, JobsService, CleanupJob],
  exports: [JobsService, JobsInstance, JobExecutor, CleanupJob],
})
export class JobsModule {}
