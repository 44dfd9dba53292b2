import { Body, Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { FieldErrors, FormError, validateForm } from '../common/forms/validate-form';
import { TIME_ZONES } from '../common/forms/timezones';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { IMPORT_LIMITS_TEXT } from '../import-export/import-limits';
import { AuthService } from './auth.service';
import { AccountProfileDto, ChangePasswordDto, PASSWORD_MIN } from './dto/auth-forms.dto';
import type { CurrentUser } from './user.entity';
import { UsersService } from './users.service';
import { NotificationsService } from '../notifications/notifications.service';

@Controller('settings/account')
@UseGuards(SignedInGuard)
export class AccountController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly notifications: NotificationsService,
  ) {}

  private async render(
    res: Response,
    me: CurrentUser,
    extra: { form?: object; errors?: FieldErrors; passwordErrors?: FieldErrors; deleteErrors?: FieldErrors; deleteForm?: object } = {},
    status = 200,
  ) {
    const notificationPrefs = await this.notifications.preferences(me.id);
    res.status(status).render('account/settings', {
      notificationPrefs,
      mailEnabled: this.notifications.mailEnabled,
      title: 'Account settings',
      nav: 'settings',
      form: extra.form ?? { name: me.name, email: me.email, timezone: me.timezone },
      errors: extra.errors,
      passwordErrors: extra.passwordErrors,
      deleteErrors: extra.deleteErrors,
      deleteForm: extra.deleteForm ?? {},
      timezones: TIME_ZONES,
      minPassword: PASSWORD_MIN,
      importLimits: IMPORT_LIMITS_TEXT,
    });
  }

  @Get()
  page(@Me() me: CurrentUser, @Res() res: Response) {
    return this.render(res, me);
  }

  @Post()
  async update(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(AccountProfileDto, body);
    if (errors) return this.render(res, me, { form: value, errors }, 422);
    try {
      await this.users.updateProfile(me.id, value);
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { form: value, errors: err.fields }, 422);
      throw err;
    }
    flash(req, 'success', 'Your account settings have been saved.');
    res.redirect(303, '/settings/account');
  }

  @Post('password')
  async password(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(ChangePasswordDto, body);
    if (errors) return this.render(res, me, { passwordErrors: errors }, 422);
    try {
      await this.users.changePassword(me.id, value.currentPassword, value.newPassword);
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { passwordErrors: err.fields }, 422);
      throw err;
    }
    await this.auth.endOtherSessions(me.id, req.sessionID);
    flash(req, 'success', 'Your password has been changed. Other devices have been logged out.');
    res.redirect(303, '/settings/account');
  }

  /** Deletes the account once the typed e-mail matches; the session ends and the visitor lands on sign-up. */
  @Post('delete')
  async deleteAccount(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const typed = typeof body.email === 'string' ? body.email : '';
    try {
      await this.users.deleteAccount(me.id, typed);
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { deleteErrors: err.fields, deleteForm: { email: typed } }, 422);
      throw err;
    }
    // a fresh, signed-out session carries the goodbye message to the sign-up page
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    flash(req, 'success', 'Your account and everything in it have been deleted. Thank you for using DevHub.');
    req.session.save(() => res.redirect(303, '/signup'));
  }
}
