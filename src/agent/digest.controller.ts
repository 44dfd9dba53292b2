import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { UsersService } from '../auth/users.service';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { DigestJobs } from './digest.jobs';
import { DigestPages } from './digest-pages';
import { DigestNotFoundError, DigestService } from './digest.service';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

@Controller('digest')
@UseGuards(SignedInGuard)
export class DigestController {
  constructor(
    private readonly pages: DigestPages,
    private readonly digest: DigestService,
    private readonly jobs: DigestJobs,
  ) {}

  @Get()
  async page(@Me() me: CurrentUser, @Query('day') day: string | undefined, @Query('page') page: string | undefined, @Query('job') job: string | undefined, @Res() res: Response) {
    const model = await this.pages.viewModel(me, typeof day === 'string' && DAY.test(day) ? day : null, Number.parseInt(page ?? '1', 10) || 1, typeof job === 'string' ? job : null);
    res.status(model.notFound ? 404 : 200).render('digest/index', model);
  }

  @Post('build')
  async build(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    const out = await this.jobs.requestBuild(me.id, me.timezone);
    if ('digest' in out) return res.redirect(303, '/digest');
    res.redirect(303, `/digest?job=${encodeURIComponent(out.jobId)}`);
  }

  @Post(':id/priorities/:contactId/:action')
  async act(
    @Me() me: CurrentUser,
    @Param('id') id: string,
    @Param('contactId') contactId: string,
    @Param('action') action: string,
    @Body() body: Record<string, unknown>,
    @Req() req: AppRequest,
    @Res() res: Response,
  ) {
    let view;
    if (action === 'reached-out') {
      view = await this.digest.act(me.id, id, contactId, 'done', me.timezone);
      flash(req, 'success', 'Logged: you reached out. It is on the contact’s timeline.');
    } else if (action === 'snooze') {
      const days = body.days === '1' ? 1 : 7;
      view = await this.digest.act(me.id, id, contactId, 'snoozed', me.timezone, days);
      flash(req, 'success', days === 1 ? 'Snoozed until tomorrow.' : 'Snoozed for a week.');
    } else if (action === 'dismiss') {
      view = await this.digest.act(me.id, id, contactId, 'dismissed', me.timezone);
      flash(req, 'success', 'Dismissed. DevHub will not suggest them for 30 days.');
    } else if (action === 'reopen') {
      view = await this.digest.reopen(me.id, id, contactId);
      flash(req, 'success', 'Back on the list.');
    } else {
      throw new DigestNotFoundError();
    }
    res.redirect(303, `/digest?day=${view.day}#p-${contactId}`);
  }
}

/** The per-account switch for model use, a section of /settings/account. */
@Controller('settings/account/digest')
@UseGuards(SignedInGuard)
export class DigestSettingsController {
  constructor(private readonly users: UsersService) {}

  @Post()
  async save(@Me() me: CurrentUser, @Body() body: Record<string, unknown>, @Req() req: AppRequest, @Res() res: Response) {
    const raw = body.useModel;
    const use = Array.isArray(raw) ? raw.includes('true') : raw === 'true';
    await this.users.setDigestUseModel(me.id, use);
    flash(req, 'success', use ? 'Your digest may use the model from now on.' : 'Model use is off: your digest is written by the rules and nothing leaves the server.');
    res.redirect(303, '/settings/account#digest');
  }
}
