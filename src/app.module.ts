import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { CsrfGuard } from './common/http/csrf';
import { ConfigModule } from './config/config.module';
import { ContactsModule } from './contacts/contacts.module';
import type { AppConfig } from './config/config.schema';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { OutboxModule } from './outbox/outbox.module';
import { SeedModule } from './seed/seed.module';
import { TagsModule } from './tags/tags.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, CommonModule, OutboxModule, HealthModule, AuthModule, ApiKeysModule, ContactsModule, TagsModule, DashboardModule, SeedModule],
      providers: [{ provide: APP_GUARD, useClass: CsrfGuard }],
    };
  }
}
