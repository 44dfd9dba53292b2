import { Controller, Get, Query, Render, UseGuards } from '@nestjs/common';
import type { CurrentUser } from '../auth/user.entity';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { AnalyticsService, type Range } from './analytics.service';

@Controller('analytics')
@UseGuards(SignedInGuard)
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Render('analytics/index')
  async page(@Me() me: CurrentUser, @Query('range') range?: string) {
    const days: Range = range === '90' ? 90 : 30;
    return { title: 'Analytics', nav: 'analytics', ...(await this.analytics.overview(me.id, me.timezone, days)) };
  }
}
