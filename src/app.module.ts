import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { CsrfGuard } from './common/http/csrf';
import { ConfigModule } from './config/config.module';
import type { AppConfig } from './config/config.schema';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { SeedModule } from './seed/seed.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, CommonModule, HealthModule, AuthModule, DashboardModule, SeedModule],
      providers: [{ provide: APP_GUARD, useClass: CsrfGuard }],
    };
  }
}
