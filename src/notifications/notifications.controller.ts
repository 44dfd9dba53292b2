import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { NotificationsService } from './notifications.service';
import { parsePage } from '../common/http/page-number';

const PER_PAGE = 50;

@Controller('notifications')
@UseGuards(SignedInGuard)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  async list(@Me() me: CurrentUser, @Query('page') pageRaw: string | undefined, @Res() res: Response) {
    const page = parsePage(pageRaw);
    const [items, total] = await this.notifications.list(me.id, PER_PAGE, (page - 1) * PER_PAGE);
    res.render('notifications/list', {
      title: 'Notifications',
      nav: 'notifications',
      items: items.map((n) => ({ ...n, unread: !n.readAt })),
      total,
      page,
      prevLink: page > 1 ? `/notifications?page=${page - 1}` : null,
      nextLink: page * PER_PAGE < total ? `/notifications?page=${page + 1}` : null,
    });
  }

  @Post('read')
  async readAll(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    await this.notifications.markAllRead(me.id);
    flash(req, 'success', 'All notifications marked as read.');
    res.redirect(303, '/notifications');
  }

  @Post('preferences')
  async preferences(@Me() me: CurrentUser, @Body() body: Record<string, unknown>, @Req() req: AppRequest, @Res() res: Response) {
    try {
      await this.notifications.setPreferences(me.id, body);
    } catch {
      flash(req, 'error', 'Choose in the app, e-mail or off for each kind.');
      return res.redirect(303, '/settings/account#notifications');
    }
    flash(req, 'success', 'Your notification settings have been saved.');
    res.redirect(303, '/settings/account#notifications');
  }

  @Post(':id/read')
  async readOne(@Me() me: CurrentUser, @Param('id') id: string, @Query('page') page: string | undefined, @Res() res: Response) {
    if (!(await this.notifications.markRead(me.id, id))) throw new NotFoundException();
    res.redirect(303, `/notifications${page ? `?page=${encodeURIComponent(page)}` : ''}`);
  }
}
