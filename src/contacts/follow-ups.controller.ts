import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FieldErrors, FormError, validateForm } from '../common/forms/validate-form';
import { AppRequest, flash, safeNext } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { utcToWallTime } from '../common/time';
import { FollowUpInputDto } from './dto/interaction-input.dto';
import { FOLLOW_UP_SECTIONS, FollowUpSection, FollowUpsService, SnoozeOption } from './follow-ups.service';
import { parsePage } from '../common/http/page-number';

type Form = Record<string, unknown>;
const PREVIEW = 20;
const PER_PAGE = 50;
const LABELS: Record<FollowUpSection, string> = { overdue: 'Overdue', today: 'Due today', upcoming: 'Upcoming', done: 'Done' };
const TAB_LABELS: Record<FollowUpSection, string> = { overdue: 'Overdue', today: 'Today', upcoming: 'Upcoming', done: 'Done' };

@Controller('follow-ups')
@UseGuards(SignedInGuard)
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Get()
  async list(@Me() me: CurrentUser, @Query('show') show: string | undefined, @Query('page') pageRaw: string | undefined, @Res() res: Response) {
    const only = FOLLOW_UP_SECTIONS.includes(show as FollowUpSection) ? (show as FollowUpSection) : null;
    // capped: a 20-digit page number would make an OFFSET that SQL cannot parse
    const page = parsePage(pageRaw);
    const counts = await this.followUps.sectionCounts(me.id, me.timezone);
    const tabs = [
      { key: 'all', label: 'All open', count: counts.overdue + counts.today + counts.upcoming, href: '/follow-ups', current: !only },
      ...FOLLOW_UP_SECTIONS.map((key) => ({ key, label: TAB_LABELS[key], count: counts[key], href: `/follow-ups?show=${key}`, current: only === key })),
    ];
    const sections = await Promise.all(
      // "All open" leaves Done to its own tab
      (only ? [only] : FOLLOW_UP_SECTIONS.filter((k) => k !== 'done')).map(async (key) => {
        const limit = only ? PER_PAGE : PREVIEW;
        const { items, total } = await this.followUps.section(me.id, key, me.timezone, limit, only ? (page - 1) * PER_PAGE : 0);
        const pages = Math.max(1, Math.ceil(total / limit));
        return {
          key,
          label: LABELS[key],
          items,
          total,
          more: !only && total > items.length ? `/follow-ups?show=${key}` : null,
          prevLink: only && page > 1 ? `/follow-ups?show=${key}&page=${page - 1}` : null,
          nextLink: only && page < pages ? `/follow-ups?show=${key}&page=${page + 1}` : null,
          isDone: key === 'done',
          isOverdue: key === 'overdue',
          isToday: key === 'today',
        };
      }),
    );
    res.render('follow-ups/list', {
      title: only ? `Follow-ups: ${LABELS[only]}` : 'Follow-ups',
      nav: 'follow-ups',
      sections,
      tabs,
      only,
      page,
      empty: sections.every((s) => s.total === 0),
      nothingAtAll: counts.overdue + counts.today + counts.upcoming + counts.done === 0,
      returnTo: only ? `/follow-ups?show=${only}&page=${page}` : '/follow-ups',
    });
  }

  private async renderEdit(res: Response, me: CurrentUser, id: string, form?: Form, errors?: FieldErrors, status = 200) {
    const fu = await this.followUps.get(me.id, id);
    res.status(status).render('follow-ups/edit', {
      title: 'Edit follow-up',
      nav: 'follow-ups',
      followUp: fu,
      form: form ?? { dueAt: utcToWallTime(new Date(fu.dueAt), me.timezone), note: fu.note },
      errors,
    });
  }

  @Get(':id/edit')
  edit(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    return this.renderEdit(res, me, id);
  }

  @Post(':id')
  async update(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const { value, errors } = await validateForm(FollowUpInputDto, body);
    try {
      if (errors) throw new FormError(errors);
      await this.followUps.update(me.id, id, value, me.timezone);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return this.renderEdit(res, me, id, body, err.fields, 422);
    }
    flash(req, 'success', 'Follow-up updated.');
    res.redirect(303, safeNext(body.returnTo, '/follow-ups'));
  }

  @Post(':id/done')
  async done(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    await this.followUps.complete(me.id, id);
    flash(req, 'success', 'Follow-up marked as done.');
    res.redirect(303, safeNext(body.returnTo, '/follow-ups'));
  }

  @Post(':id/reopen')
  async reopen(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    await this.followUps.reopen(me.id, id);
    flash(req, 'success', 'Follow-up reopened.');
    res.redirect(303, safeNext(body.returnTo, '/follow-ups'));
  }

  @Post(':id/snooze')
  async snooze(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const option: SnoozeOption = body.until === 'tomorrow' || body.until === 'next-week' ? body.until : 'date';
    try {
      const fu = await this.followUps.snooze(me.id, id, option, me.timezone, typeof body.date === 'string' ? body.date : undefined);
      flash(req, 'success', `Snoozed until ${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: me.timezone }).format(new Date(fu.dueAt))}.`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, safeNext(body.returnTo, '/follow-ups'));
  }

  @Post(':id/delete')
  async remove(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    await this.followUps.remove(me.id, id);
    flash(req, 'success', 'Follow-up deleted.');
    res.redirect(303, safeNext(body.returnTo, '/follow-ups'));
  }
}
