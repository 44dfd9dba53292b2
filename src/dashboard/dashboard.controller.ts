import { Controller, Get, Render, UseGuards } from '@nestjs/common';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import type { CurrentUser } from '../auth/user.entity';
import { DashboardService } from './dashboard.service';

@Controller('dashboard')
@UseGuards(SignedInGuard)
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Render('dashboard/index')
  page(@Me() me: CurrentUser) {
    return this.dashboard.viewModel(me);
  }
}
