import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FieldErrors, FormError } from '../common/forms/validate-form';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { ApiKeysService } from './api-keys.service';

@Controller('settings/api-keys')
@UseGuards(SignedInGuard)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  private async render(res: Response, me: CurrentUser, extra: { created?: { key: string; name: string; scope: string }; form?: object; errors?: FieldErrors } = {}, status = 200) {
    const keys = await this.keys.list(me.id);
    res.status(status).render('api-keys/list', {
      title: 'API keys',
      nav: 'settings',
      keys: keys.map((k) => ({ ...k, active: !k.revokedAt })),
      activeCount: keys.filter((k) => !k.revokedAt).length,
      limit: this.keys.limitFor(me.plan),
      plan: me.plan,
      created: extra.created,
      form: extra.form ?? { scope: 'read' },
      errors: extra.errors,
    });
  }

  @Get()
  page(@Me() me: CurrentUser, @Res() res: Response) {
    return this.render(res, me);
  }

  @Post()
  async create(@Me() me: CurrentUser, @Res() res: Response, @Body() body: Record<string, unknown>) {
    try {
      const { key, view } = await this.keys.create(me.id, body.name, body.scope);
      // shown exactly once, on this response; never stored, never put in a redirect or the session
      res.setHeader('Cache-Control', 'no-store');
      return this.render(res, me, { created: { key, name: view.name, scope: view.scope } }, 201);
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { form: body, errors: err.fields }, 422);
      throw err;
    }
  }

  @Post(':id/revoke')
  async revoke(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    const key = await this.keys.revoke(me.id, id);
    flash(req, 'success', `Revoked "${key.name}". Requests with it now fail.`);
    res.redirect(303, '/settings/api-keys');
  }
}
