import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { AppRequest, flash, safeNext } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { GithubJobsService } from './github-jobs.service';
import { GithubPagesService } from './github-pages.service';
import { GithubSyncService } from './github-sync.service';
import { InsightsService } from './insights.service';

const queued = (deduplicated: boolean) => (deduplicated ? 'A GitHub sync is already queued.' : 'GitHub sync queued: new data appears here within a few minutes.');

@Controller()
@UseGuards(SignedInGuard)
export class GithubController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pages: GithubPagesService,
    private readonly insights: InsightsService,
    private readonly sync: GithubSyncService,
    private readonly jobs: GithubJobsService,
  ) {}

  @Get('insights')
  async list(@Me() me: CurrentUser, @Query() q: Record<string, string | undefined>, @Res() res: Response) {
    res.render('github/insights', await this.pages.insightsPage(me.id, q));
  }

  @Post('insights/ack-all')
  async ackAll(@Me() me: CurrentUser, @Body() body: Record<string, unknown>, @Req() req: AppRequest, @Res() res: Response) {
    const n = await this.insights.acknowledgeAll(me.id, typeof body.contactId === 'string' ? body.contactId : undefined);
    flash(req, 'success', n ? `Marked ${n} insight${n === 1 ? '' : 's'} as seen.` : 'Nothing new to mark.');
    res.redirect(303, safeNext(body.returnTo, '/insights'));
  }

  @Post('insights/:id/ack')
  async ack(@Me() me: CurrentUser, @Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: AppRequest, @Res() res: Response) {
    await this.insights.acknowledge(me.id, id);
    flash(req, 'success', 'Insight marked as seen.');
    res.redirect(303, safeNext(body.returnTo, '/insights'));
  }

  @Get('settings/github')
  async settings(@Me() me: CurrentUser, @Res() res: Response) {
    res.render('github/settings', await this.pages.settingsPage(me.id, me.githubLogin, this.config.github.enabled));
  }

  @Post('settings/github/disconnect')
  async disconnect(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    await this.sync.disconnect(me.id);
    flash(req, 'success', 'GitHub disconnected: your token was deleted.');
    res.redirect(303, '/settings/github');
  }

  @Post('settings/github/timeline')
  async timeline(@Me() me: CurrentUser, @Body() body: Record<string, unknown>, @Req() req: AppRequest, @Res() res: Response) {
    const on = body.timelineEnabled === 'on' || body.timelineEnabled === 'true';
    await this.sync.setTimeline(me.id, on);
    flash(req, 'success', on ? 'GitHub conversations will appear on your contacts\u2019 timelines.' : 'GitHub conversations will no longer be added to timelines.');
    res.redirect(303, '/settings/github');
  }

  @Post('settings/github/sync')
  async syncAll(@Me() me: CurrentUser, @Body() body: Record<string, unknown>, @Req() req: AppRequest, @Res() res: Response) {
    const job = await this.jobs.accept(me.id);
    flash(req, 'success', queued(job.deduplicated));
    res.redirect(303, safeNext(body.returnTo, '/settings/github'));
  }

  @Post('contacts/:id/github/sync')
  async syncContact(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    const job = await this.jobs.accept(me.id, id);
    flash(req, 'success', queued(job.deduplicated));
    res.redirect(303, `/contacts/${id}`);
  }
}
