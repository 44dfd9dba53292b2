import { Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AppRequest, flash } from '../common/http/request-types';
import { ensureCsrfToken } from '../common/http/csrf';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import type { CurrentUser } from '../auth/user.entity';
import { ProfileNotFoundException } from './profiles.errors';
import { ProfilePagesService, type Resolved } from './profile-pages.service';
import type { QrImage } from './qr-code.service';
import { isCustomDomainRequest, sendPage } from './public-edge';

/** 301s for old usernames may be cached, but not forever: the name can be taken again after 90 days. */
function answer<T>(res: Response, r: Resolved<T>): r is { kind: 'ok'; value: T } {
  if (r.kind === 'none') throw new ProfileNotFoundException();
  if (r.kind === 'redirect') {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.redirect(301, r.location);
    return false;
  }
  return true;
}

function sendQr(req: AppRequest, res: Response, image: QrImage, type: string) {
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.setHeader('ETag', image.etag);
  if (req.get('if-none-match') === image.etag) return res.status(304).end();
  res.type(type).send(image.body);
}

@Controller()
export class PublicProfileController {
  constructor(private readonly pages: ProfilePagesService) {}

  /** `/@username` (the page) and `/@username.vcf` (the vCard): one route, a username has no dot. */
  @Get('@:handle')
  async page(@Req() req: AppRequest, @Res() res: Response, @Param('handle') handle: string) {
    if (handle.endsWith('.vcf')) return this.vcard(res, handle.slice(0, -4));
    const onCustomDomain = isCustomDomainRequest(req);
    const r = await this.pages.page({
      handle,
      viewer: req.currentUser ?? null,
      onCustomDomain,
      csrfToken: () => ensureCsrfToken(req),
      flash: res.locals.flash,
      countView: req.method === 'GET',
      visit: { ip: req.ip ?? req.socket.remoteAddress ?? '', userAgent: req.get('user-agent'), referrer: req.get('referer'), headers: req.headers },
    });
    if (answer(res, r)) sendPage(res, r.value);
  }

  private async vcard(res: Response, handle: string) {
    const r = await this.pages.vcard(handle);
    if (!answer(res, r)) return;
    res.setHeader('Content-Type', 'text/vcard; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${r.value.filename}"`);
    res.setHeader('Cache-Control', 'no-cache');
    res.send(r.value.body);
  }

  @Get('@:handle/qr.svg')
  async qrSvg(@Req() req: AppRequest, @Res() res: Response, @Param('handle') handle: string) {
    const r = await this.pages.qrCode(handle, 'svg');
    if (answer(res, r)) sendQr(req, res, r.value, 'image/svg+xml');
  }

  @Get('@:handle/qr.png')
  async qrPng(@Req() req: AppRequest, @Res() res: Response, @Param('handle') handle: string) {
    const r = await this.pages.qrCode(handle, 'png');
    if (answer(res, r)) sendQr(req, res, r.value, 'image/png');
  }

  /** "Add to my DevHub": creates (or opens) a contact in the signed-in viewer's own account. */
  @Post('@:handle/contact')
  @UseGuards(SignedInGuard)
  async addContact(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Param('handle') handle: string) {
    const r = await this.pages.addToContacts(handle, me);
    if (r.kind === 'none') throw new ProfileNotFoundException();
    if (r.kind === 'own') return res.redirect(303, '/settings/profile');
    flash(req, r.kind === 'created' ? 'success' : 'info', r.kind === 'created' ? `${r.name} is now in your contacts.` : `${r.name} is already in your contacts.`);
    res.redirect(303, `/contacts/${r.contactId}`);
  }
}
