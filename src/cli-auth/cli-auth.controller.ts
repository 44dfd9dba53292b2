import { Body, Controller, Get, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { CliAuthError } from './cli-auth.errors';
import { CliAuthRequestView, CliAuthService } from './cli-auth.service';

type Outcome = 'approved' | 'refused';

/** /cli/authorize: the signed-in person sees the code, the machine and the scope, and decides. */
@Controller('cli/authorize')
@UseGuards(SignedInGuard)
export class CliAuthController {
  constructor(private readonly cliAuth: CliAuthService) {}

  @Get()
  async page(@Me() me: CurrentUser, @Query('code') code: unknown, @Res() res: Response) {
    if (code === undefined || code === '') return this.render(res, {});
    return this.attempt(res, code, () => this.cliAuth.describe(me.id, code));
  }

  @Post()
  async decide(@Me() me: CurrentUser, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const approve = body.decision === 'approve';
    const outcome: Outcome = approve ? 'approved' : 'refused';
    return this.attempt(res, body.code, () => (approve ? this.cliAuth.approve(me.id, body.code) : this.cliAuth.refuse(me.id, body.code)), outcome);
  }

  private async attempt(res: Response, code: unknown, work: () => Promise<CliAuthRequestView>, outcome?: Outcome) {
    try {
      const request = await work();
      return this.render(res, { request, outcome });
    } catch (err) {
      if (!(err instanceof CliAuthError)) throw err;
      if (err.headers) res.setHeader('Retry-After', err.headers['Retry-After']);
      const typed = typeof code === 'string' ? code.slice(0, 32) : '';
      return this.render(res, { error: err.message, typed }, err.getStatus());
    }
  }

  private render(res: Response, model: { request?: CliAuthRequestView; outcome?: Outcome; error?: string; typed?: string }, status = 200) {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('cli-auth/authorize', { title: 'Authorize the DevHub CLI', nav: 'settings', ...model, approved: model.outcome === 'approved', refused: model.outcome === 'refused' });
  }
}
