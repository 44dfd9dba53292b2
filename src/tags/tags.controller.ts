import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FormError } from '../common/forms/validate-form';
import { AppRequest, flash, safeNext } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { TagsService } from './tags.service';

type Form = Record<string, unknown>;

@Controller()
@UseGuards(SignedInGuard)
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  private async page(res: Response, me: CurrentUser, extra: { form?: Form; error?: string; renameId?: string; renameError?: string } = {}, status = 200) {
    const tags = await this.tags.list(me.id);
    res.status(status).render('tags/list', {
      title: 'Tags',
      nav: 'tags',
      tags: tags.map((t) => ({ ...t, renameError: t.id === extra.renameId ? extra.renameError : undefined, filterHref: `/contacts?tag=${encodeURIComponent(t.name)}` })),
      form: extra.form ?? {},
      error: extra.error,
    });
  }

  @Get('tags')
  list(@Me() me: CurrentUser, @Res() res: Response) {
    return this.page(res, me);
  }

  @Post('tags')
  async create(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    try {
      const tag = await this.tags.create(me.id, body.name);
      flash(req, 'success', `Tag "${tag.name}" created.`);
    } catch (err) {
      if (err instanceof FormError) return this.page(res, me, { form: body, error: err.message }, 422);
      throw err;
    }
    res.redirect(303, '/tags');
  }

  @Post('tags/:id')
  async rename(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    try {
      const { tag, merged } = await this.tags.rename(me.id, id, body.name);
      flash(req, 'success', merged ? `Merged into "${tag.name}".` : `Renamed to "${tag.name}".`);
    } catch (err) {
      if (err instanceof FormError) return this.page(res, me, { renameId: id, renameError: err.message }, 422);
      throw err;
    }
    res.redirect(303, '/tags');
  }

  @Post('tags/:id/delete')
  async remove(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    await this.tags.remove(me.id, id);
    flash(req, 'success', 'Tag deleted. The contacts themselves are unchanged.');
    res.redirect(303, '/tags');
  }

  @Post('contacts/:id/tags')
  async addToContact(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    try {
      const tag = await this.tags.addToContact(me.id, id, body.tag ?? body.name);
      flash(req, 'success', `Tagged "${tag.name}".`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, safeNext(body.returnTo, `/contacts/${id}`));
  }

  @Post('contacts/:id/tags/:tagId/delete')
  async removeFromContact(@Me() me: CurrentUser, @Param('id') id: string, @Param('tagId') tagId: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    await this.tags.removeFromContact(me.id, id, tagId);
    flash(req, 'success', 'Tag removed.');
    res.redirect(303, safeNext(body.returnTo, `/contacts/${id}`));
  }
}
