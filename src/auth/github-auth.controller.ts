import { ExecutionContext, Controller, Get, Inject, Injectable, NotFoundException, Req, Res, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { AppRequest, flash } from '../common/http/request-types';
import { AuthService, GithubAlreadyLinkedError, GithubProfile, GithubUnverifiedMatchError } from './auth.service';
import { GithubTokensService } from './github-tokens.service';
import type { GithubTokenExtras } from './github.strategy';
import { startSession } from './session-helpers';

@Injectable()
export class GithubAuthGuard extends AuthGuard('github') {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (!this.config.github.enabled) throw new NotFoundException('GitHub sign-in is not configured on this instance.');
    return super.canActivate(context);
  }

  // a refused or forged callback (bad state, denied consent) reaches the handler without a user
  override handleRequest<T>(err: unknown, user: T): T {
    return (err ? null : user) as T;
  }
}

@Controller('auth/github')
export class GithubAuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly githubTokens: GithubTokensService,
  ) {}

  @Get()
  @UseGuards(GithubAuthGuard)
  start() {
    // the guard redirects to GitHub
  }

  @Get('callback')
  @UseGuards(GithubAuthGuard)
  async callback(@Req() req: AppRequest & { user?: GithubProfile & GithubTokenExtras }, @Res() res: Response) {
    const profile = req.user;
    if (!profile) {
      flash(req, 'error', 'GitHub sign-in did not complete. Please try again.');
      return res.redirect(303, req.currentUser ? '/settings/account' : '/login');
    }
    const linking = Boolean(req.currentUser);
    let user;
    try {
      user = await this.auth.githubSignIn(profile, req.currentUser?.id);
    } catch (err) {
      if (err instanceof GithubUnverifiedMatchError) {
        return res.status(409).render('auth/github-account-exists', { title: 'Log in with your password', email: err.email, layoutClass: 'auth' });
      }
      if (!(err instanceof GithubAlreadyLinkedError)) throw err;
      flash(req, 'error', `GitHub account @${profile.login} is already connected to another DevHub account.`);
      return req.session.save(() => res.redirect(303, '/settings/account'));
    }
    await this.githubTokens.storeRefresh(user.id, profile.refreshToken, profile.tokenExpiresAt);
    // queued before the new session is saved, so it is carried over and saved once
    flash(req, 'success', linking ? `Connected GitHub account @${profile.login}.` : `Signed in with GitHub as @${profile.login}.`);
    await startSession(req, user.id);
    // a fresh GitHub sign-in by the signed-in user confirms e-mail changes and deletion of an account without a password
    if (linking) req.session.githubConfirmedAt = Date.now();
    res.redirect(303, linking ? '/settings/account' : '/dashboard');
  }
}
