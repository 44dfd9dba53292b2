import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { CsrfGuard } from './common/http/csrf';
import { ConfigModule } from './config/config.module';
import { ContactsModule } from './contacts/contacts.module';
import type { AppConfig } from './config/config.schema';
import { DashboardModule } from './dashboard/dashboard.module';
import { SearchModule } from './search/search.module';
import { DatabaseModule } from './database/database.module';
import { BackupModule } from './backup/backup.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { ImportExportModule } from './import-export/import-export.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OutboxModule } from './outbox/outbox.module';
import { SeedModule } from './seed/seed.module';
import { TagsModule } from './tags/tags.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { ProfilesModule } from './profiles/profiles.module';
import { CliAuthModule } from './cli-auth/cli-auth.module';
import { GithubModule } from './github/github.module';
import { AgentModule } from './agent/agent.module';
import { AdminModule } from './admin/admin.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({})
export class AppModule {
  /** `extra`: modules added by tests (e.g. a stand-in provider of an optional token). */
  static forRoot(config: AppConfig, extra: DynamicModule[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [ScheduleModule.forRoot(), ConfigModule.forRoot(config), DatabaseModule, CommonModule, OutboxModule, HealthModule, AuthModule, ApiKeysModule, ContactsModule, TagsModule, NotificationsModule, WebhooksModule, JobsModule, DashboardModule, ProfilesModule, AnalyticsModule, SeedModule, ImportExportModule, CliAuthModule, GithubModule, AgentModule, BackupModule, AdminModule, MetricsModule, SearchModule, ...extra],
      providers: [{ provide: APP_GUARD, useClass: CsrfGuard }],
    };
  }
}
