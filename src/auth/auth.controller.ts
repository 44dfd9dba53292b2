import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { validateForm, FormError } from '../common/forms/validate-form';
import { AppRequest, flash, safeNext } from '../common/http/request-types';
import { AuthService } from './auth.service';
import { ForgotPasswordDto, LoginDto, PASSWORD_MIN, ResetPasswordDto, SignupDto } from './dto/auth-forms.dto';
import { endSession, startSession } from './session-helpers';
import { UsersService } from './users.service';

const GENERIC_LOGIN_ERROR = 'That e-mail and password do not match an account.';

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async home(@Req() req: AppRequest, @Res() res: Response) {
    if (req.currentUser) return res.redirect(302, '/dashboard');
    res.redirect(302, (await this.users.hasAnyUser()) ? '/login' : '/signup');
  }

  @Get('signup')
  signupPage(@Req() req: AppRequest, @Res() res: Response, @Query('ref') ref?: string) {
    if (req.currentUser) return res.redirect(302, '/dashboard');
    res.render('auth/signup', { title: 'Create your account', form: { ref: typeof ref === 'string' ? ref.slice(0, 100) : '' }, minPassword: PASSWORD_MIN, layoutClass: 'auth' });
  }

  @Post('signup')
  async signup(@Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(SignupDto, body);
    const form = { name: value.name, email: value.email, ref: value.ref };
    const again = (fieldErrors: Record<string, string>) =>
      res.status(422).render('auth/signup', { title: 'Create your account', form, errors: fieldErrors, minPassword: PASSWORD_MIN, layoutClass: 'auth' });
    if (errors) return again(errors);
    let result;
    try {
      result = await this.auth.signup(value, req.ip ?? 'unknown');
    } catch (err) {
      if (err instanceof FormError) return again(err.fields);
      throw err;
    }
    if (!result.created) {
      // without e-mail nobody can be told privately: the form says only that the address cannot be used
      if (!this.auth.canResetPasswords) return again({ email: 'This address cannot be used for a new account. If you already have one, log in instead.' });
      // the address has an account: its owner was mailed; the answer is forgot-password's
      return res.status(200).render('auth/forgot-password', { title: 'Check your inbox', canReset: this.auth.canResetPasswords, sent: true, layoutClass: 'auth' });
    }
    // queued before the new session is saved, so it is carried over and saved once
    flash(req, 'success', `Welcome to DevHub, ${result.user.name}!`);
    if (this.auth.canResetPasswords) flash(req, 'info', `We sent a link to ${result.user.email}: open it to confirm your address.`);
    await startSession(req, result.user.id);
    res.redirect(303, '/dashboard');
  }

  /** The link in a verification mail (single use, 24 h). Works signed in or not. */
  @Get('verify-email')
  async verifyEmail(@Req() req: AppRequest, @Res() res: Response, @Query('token') token?: string) {
    const ok = typeof token === 'string' && token.length <= 200 && (await this.auth.verifyEmail(token));
    res.status(ok ? 200 : 410).render('auth/verify-email', { title: ok ? 'Address confirmed' : 'Link not valid', verified: ok, signedIn: Boolean(req.currentUser), layoutClass: 'auth' });
  }

  @Get('login')
  loginPage(@Req() req: AppRequest, @Res() res: Response, @Query('next') next?: string) {
    if (req.currentUser) return res.redirect(302, safeNext(next));
    res.render('auth/login', { title: 'Log in', form: { next: safeNext(next, '') }, layoutClass: 'auth', canReset: this.auth.canResetPasswords });
  }

  @Post('login')
  async login(@Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(LoginDto, body);
    const form = { email: value.email, next: safeNext(value.next, '') };
    const render = (status: number, error: string) =>
      res.status(status).render('auth/login', { title: 'Log in', form, error, layoutClass: 'auth', canReset: this.auth.canResetPasswords });
    if (errors) return render(422, GENERIC_LOGIN_ERROR);
    const result = await this.auth.login(value.email, value.password, req.ip ?? 'unknown');
    if (!result.ok) {
      if (result.reason === 'throttled') {
        res.setHeader('Retry-After', String(result.retryAfter));
        return render(429, `Too many failed attempts. Try again in ${Math.ceil(result.retryAfter / 60)} minute(s).`);
      }
      return render(401, GENERIC_LOGIN_ERROR);
    }
    await startSession(req, result.user.id);
    res.redirect(303, safeNext(value.next));
  }

  @Post('logout')
  @HttpCode(303)
  async logout(@Req() req: AppRequest, @Res() res: Response) {
    await endSession(req);
    res.clearCookie('devhub.sid');
    res.redirect(303, '/login');
  }

  @Get('forgot-password')
  forgotPage(@Res() res: Response) {
    res.render('auth/forgot-password', { title: 'Reset your password', canReset: this.auth.canResetPasswords, layoutClass: 'auth' });
  }

  @Post('forgot-password')
  @HttpCode(200)
  async forgot(@Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(ForgotPasswordDto, body);
    if (errors) {
      return res.status(422).render('auth/forgot-password', { title: 'Reset your password', canReset: this.auth.canResetPasswords, form: value, errors, layoutClass: 'auth' });
    }
    const result = await this.auth.requestPasswordReset(value.email, req.ip ?? 'unknown');
    if (!result.ok) {
      res.setHeader('Retry-After', String(result.retryAfter));
      const error = `Too many reset requests from your network. Try again in ${Math.ceil(result.retryAfter / 60)} minute(s).`;
      return res.status(429).render('auth/forgot-password', { title: 'Reset your password', canReset: this.auth.canResetPasswords, form: value, errors: { email: error }, layoutClass: 'auth' });
    }
    res.render('auth/forgot-password', { title: 'Check your inbox', canReset: this.auth.canResetPasswords, sent: true, layoutClass: 'auth' });
  }

  @Get('reset-password')
  async resetPage(@Res() res: Response, @Query('token') token?: string) {
    const valid = typeof token === 'string' && (await this.auth.isResetTokenValid(token));
    res.status(valid ? 200 : 410).render('auth/reset-password', { title: 'Choose a new password', token: valid ? token : '', invalid: !valid, minPassword: PASSWORD_MIN, layoutClass: 'auth' });
  }

  @Post('reset-password')
  async reset(@Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const { value, errors } = await validateForm(ResetPasswordDto, body);
    if (errors) {
      return res.status(422).render('auth/reset-password', { title: 'Choose a new password', token: value.token, errors, minPassword: PASSWORD_MIN, layoutClass: 'auth' });
    }
    const userId = await this.auth.resetPassword(value.token, value.password, { revokeCredentials: value.revokeApiKeys === 'on' });
    if (!userId) {
      return res.status(410).render('auth/reset-password', { title: 'Choose a new password', invalid: true, layoutClass: 'auth' });
    }
    await this.auth.endOtherSessions(userId);
    flash(req, 'success', value.revokeApiKeys === 'on' ? 'Your password has been changed and every API key revoked. Log in with the new one.' : 'Your password has been changed. Log in with the new one.');
    res.redirect(303, '/login');
  }
}
