import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FieldErrors, FormError } from '../common/forms/validate-form';
import { EncryptionService } from '../common/crypto/encryption.service';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { ApiKeysService } from './api-keys.service';

@Controller('settings/api-keys')
@UseGuards(SignedInGuard)
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly encryption: EncryptionService,
  ) {}

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
  page(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    // the key of a create just before, shown once: taken out of the session as it is shown
    const reveal = req.session.reveal?.kind === 'api-key' ? req.session.reveal : undefined;
    if (reveal) {
      delete req.session.reveal;
      res.setHeader('Cache-Control', 'no-store');
      return this.render(res, me, { created: { key: this.encryption.decrypt(reveal.secret), name: reveal.name ?? '', scope: reveal.scope ?? '' } });
    }
    return this.render(res, me);
  }

  /**
   * Post/redirect/get: the new key rides in the session (encrypted with ENCRYPTION_KEY) to the
   * next GET, which shows it once and drops it; a reload creates nothing and shows nothing.
   */
  @Post()
  async create(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    try {
      const { key, view } = await this.keys.create(me.id, body.name, body.scope);
      req.session.reveal = { kind: 'api-key', name: view.name, scope: view.scope, secret: this.encryption.encrypt(key) };
      return res.redirect(303, '/settings/api-keys');
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
