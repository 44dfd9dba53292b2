import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AdminMetricsService } from './admin-metrics.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

/** The instance admin's console (/admin): users and plans, business metrics, jobs. */
@Module({ imports: [AuthModule], controllers: [AdminController], providers: [AdminService, AdminMetricsService] })
export class AdminModule {}
