import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { PLANS } from '../auth/user.entity';
import { FormError } from '../common/forms/validate-form';
import { AppRequest, flash } from '../common/http/request-types';
import { AdminGuard, Me } from '../common/http/signed-in.guard';
import { AdminMetricsService } from './admin-metrics.service';
import { AdminService } from './admin.service';
import { renderBars } from './bar-chart';

const PER_PAGE = 25;

/** /admin: business metrics, users, jobs. Everyone but an admin gets 404 (AdminGuard). */
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly metrics: AdminMetricsService,
  ) {}

  @Get()
  async overview(@Res() res: Response) {
    const m = await this.metrics.overview();
    res.render('admin/index', {
      title: 'Admin',
      nav: 'admin',
      m,
      signupChart: renderBars(m.signupWeeks.map((w) => ({ label: w.week.slice(5), value: w.total })), 'Sign-ups per week, last 12 weeks'),
      planChart: renderBars(m.planMix.map((p) => ({ label: p.plan, value: p.users })), 'Users per plan'),
      conversionChart: renderBars(m.months.map((x) => ({ label: x.month, value: x.conversions })), 'Conversions from free to paid per month'),
    });
  }

  @Get('users')
  async users(@Query('q') q: string | undefined, @Query('page') pageRaw: string | undefined, @Res() res: Response) {
    const page = Math.max(1, Number.parseInt(pageRaw ?? '1', 10) || 1);
    const query = (q ?? '').slice(0, 200);
    const { rows, total } = await this.admin.listUsers(query, PER_PAGE, (page - 1) * PER_PAGE);
    const link = (p: number) => `/admin/users?page=${p}${query ? `&q=${encodeURIComponent(query)}` : ''}`;
    res.render('admin/users', {
      title: 'Admin · Users',
      nav: 'admin',
      q: query,
      rows,
      total,
      plans: PLANS,
      prevLink: page > 1 ? link(page - 1) : null,
      nextLink: page * PER_PAGE < total ? link(page + 1) : null,
    });
  }

  @Post('users/:id/plan')
  async plan(@Me() me: CurrentUser, @Param('id') id: string, @Body() body: Record<string, string>, @Req() req: AppRequest, @Res() res: Response) {
    try {
      await this.admin.changePlan(me.id, id, body.plan, body.reason);
      flash(req, 'success', `Plan changed to ${body.plan}.`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, 'error', Object.values(err.fields).join(' '));
    }
    res.redirect(303, '/admin/users');
  }

  @Post('users/:id/disable')
  async disable(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    return this.toggle(me, id, true, req, res);
  }

  @Post('users/:id/enable')
  async enable(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    return this.toggle(me, id, false, req, res);
  }

  private async toggle(me: CurrentUser, id: string, disabled: boolean, req: AppRequest, res: Response) {
    try {
      await this.admin.setDisabled(me.id, id, disabled);
      flash(req, 'success', disabled ? 'Account disabled: its sessions ended and its API keys stopped working.' : 'Account enabled.');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, 'error', Object.values(err.fields).join(' '));
    }
    res.redirect(303, '/admin/users');
  }

  @Post('users/:id/admin')
  async makeAdmin(@Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    await this.admin.makeAdmin(id);
    flash(req, 'success', 'The user is now an admin.');
    res.redirect(303, '/admin/users');
  }

  @Get('jobs')
  async jobs(@Res() res: Response) {
    res.render('admin/jobs', { title: 'Admin · Jobs', nav: 'admin', ...(await this.admin.jobsOverview()) });
  }

  @Post('jobs/:name/run')
  async runNow(@Param('name') name: string, @Req() req: AppRequest, @Res() res: Response) {
    const id = await this.admin.runNow(name);
    flash(req, 'success', `${name} queued (job ${id}).`);
    res.redirect(303, '/admin/jobs');
  }

  @Post('jobs/failed/:id/retry')
  async retry(@Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    const ok = await this.admin.retry(id);
    flash(req, ok ? 'success' : 'error', ok ? 'The job is back in its queue.' : 'There is no failed job with that id.');
    res.redirect(303, '/admin/jobs');
  }
}
