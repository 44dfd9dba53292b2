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

/** How long a GitHub sign-in confirms a sensitive change on an account without a password. */
export const GITHUB_CONFIRM_MS = 10 * 60 * 1000;
const githubConfirmed = (req: AppRequest) => Date.now() - (req.session.githubConfirmedAt ?? 0) < GITHUB_CONFIRM_MS;

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
      canVerify: this.auth.canResetPasswords,
    });
  }

  @Get()
  page(@Me() me: CurrentUser, @Res() res: Response) {
    return this.render(res, me);
  }

  @Post()
  async update(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(AccountProfileDto, body);
    const form = { name: value.name, email: value.email, timezone: value.timezone };
    if (errors) return this.render(res, me, { form, errors }, 422);
    let result;
    try {
      result = await this.users.updateProfile(me.id, form, { currentPassword: value.currentPassword, githubConfirmed: githubConfirmed(req) });
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { form, errors: err.fields }, 422);
      throw err;
    }
    if (result.previousEmail) {
      await this.auth.afterEmailChange(result.user, result.previousEmail, req.sessionID);
      flash(
        req,
        'success',
        this.auth.canResetPasswords
          ? `Saved. We sent a link to ${result.user.email} to confirm the new address, and a notice to the old one. Other devices have been logged out.`
          : 'Saved. Other devices have been logged out.',
      );
    } else {
      flash(req, 'success', 'Your account settings have been saved.');
    }
    res.redirect(303, '/settings/account');
  }

  /** "Send again" for the verification link (rate-limited per account). */
  @Post('verify-email')
  async resendVerification(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    const result = await this.auth.resendVerification(me.id);
    if (result.sent) flash(req, 'success', `We sent a new link to ${me.email}. It works once, for 24 hours.`);
    else if (result.retryAfter) flash(req, 'error', `You asked for several links already. Try again in ${Math.ceil(result.retryAfter / 60)} minute(s).`);
    else flash(req, 'info', me.emailVerified ? 'Your address is already confirmed.' : 'This instance sends no e-mail, so addresses cannot be confirmed.');
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

  /**
   * Deletes the account once confirmed with the current password (a GitHub-only account: a GitHub
   * sign-in in the last 10 minutes); the session ends and the visitor lands on sign-up.
   */
  @Post('delete')
  async deleteAccount(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const currentPassword = typeof body.currentPassword === 'string' ? body.currentPassword.slice(0, 200) : undefined;
    try {
      await this.users.deleteAccount(me.id, { currentPassword, githubConfirmed: githubConfirmed(req) });
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { deleteErrors: err.fields }, 422);
      throw err;
    }
    // a fresh, signed-out session carries the goodbye message to the sign-up page
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    flash(req, 'success', 'Your account and everything in it have been deleted. Thank you for using DevHub.');
    req.session.save(() => res.redirect(303, '/signup'));
  }
}
