import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ContactsModule } from '../contacts/contacts.module';
import { DigestApiController } from './digest-api.controller';
import { DigestController, DigestSettingsController } from './digest.controller';
import { DigestJobs } from './digest.jobs';
import { DigestPages } from './digest-pages';
import { DigestService } from './digest.service';
import { ModelClient } from './model-client';

/** The daily digest ("agent"): candidates, the rule-based ranker, the model, pages, API and jobs. */
@Module({
  imports: [AuthModule, ContactsModule],
  controllers: [DigestController, DigestSettingsController, DigestApiController],
  providers: [DigestService, DigestJobs, DigestPages, ModelClient],
  exports: [DigestService, DigestPages],
})
export class AgentModule {}
