import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ImportExportModule } from '../import-export/import-export.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CleanupJob } from './cleanup.job';
import { JobRunner } from './job-runner.service';

@Global()
@Module({
  imports: [AuthModule, WebhooksModule, ImportExportModule],
  providers: [JobRunner, CleanupJob],
  exports: [JobRunner, CleanupJob],
})
export class JobsModule {}
