import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FieldErrors, FormError, validateForm } from '../common/forms/validate-form';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { CustomDomainDto, ProfileFormDto, readLinkFields } from './dto/profile-form.dto';
import { LINK_HINTS, LINK_KINDS, LINK_LABELS } from './profile-links';
import { PROFILE_VIEWS_DIR, ProfilePageRenderer } from './profile-page.renderer';
import { ProfilesService, REDIRECT_DAYS, type ProfileForm } from './profiles.service';
import { ProfileNotFoundException } from './profiles.errors';
import { USERNAME_MAX, USERNAME_MIN } from './username';

type Form = Record<string, unknown>;

const EDITOR_SCRIPT = join(PROFILE_VIEWS_DIR, 'profiles', 'editor.client.js');

@Controller('settings/profile')
@UseGuards(SignedInGuard)
export class ProfileSettingsController {
  private editorScript: string | null = null;

  constructor(
    private readonly profiles: ProfilesService,
    private readonly renderer: ProfilePageRenderer,
  ) {}

  private async render(res: Response, me: CurrentUser, extra: { form?: ProfileForm; errors?: FieldErrors; domainErrors?: FieldErrors; domainInput?: string; dnsFound?: string[]; previewing?: boolean } = {}, status = 200) {
    const state = await this.profiles.editor(me, extra.form ? { form: extra.form } : undefined);
    res.status(status).render('profiles/editor', {
      title: 'Public profile',
      nav: 'profile',
      ...state,
      errors: extra.errors,
      domainErrors: extra.domainErrors,
      domainInput: extra.domainInput ?? state.domain?.domain ?? '',
      dnsFound: extra.dnsFound,
      previewing: extra.previewing,
      linkFields: LINK_KINDS.map((kind) => ({ kind, id: `links-${kind}`, name: `links[${kind}]`, label: LINK_LABELS[kind], hint: LINK_HINTS[kind], value: state.form.links[kind], error: extra.errors?.[`links.${kind}`] })),
      usernameMin: USERNAME_MIN,
      usernameMax: USERNAME_MAX,
      redirectDays: REDIRECT_DAYS,
    });
  }

  @Get()
  page(@Me() me: CurrentUser, @Res() res: Response) {
    return this.render(res, me);
  }

  @Post()
  async save(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const { value, errors } = await validateForm(ProfileFormDto, body);
    value.links = readLinkFields(body);
    const form = this.profiles.formFromInput(value);
    if (errors) return this.render(res, me, { form, errors }, 422);
    try {
      const saved = await this.profiles.save(me.id, value);
      const message = saved.created
        ? `Your profile is ready at /@${saved.username}.`
        : saved.renamedFrom
          ? `Saved. /@${saved.renamedFrom} now redirects to /@${saved.username} for ${REDIRECT_DAYS} days.`
          : 'Your profile has been saved.';
      flash(req, 'success', message);
      res.redirect(303, '/settings/profile');
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { form, errors: err.fields }, 422);
      throw err;
    }
  }

  /** The live preview: the card as HTML for the script, or the whole editor without saving. */
  @Post('preview')
  @HttpCode(200)
  async preview(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const { value } = await validateForm(ProfileFormDto, body);
    value.links = readLinkFields(body);
    const form = this.profiles.formFromInput(value);
    if (req.get('x-preview') === 'card') {
      res.setHeader('Cache-Control', 'no-store');
      return res.type('html').send(this.renderer.renderPartial('card', { card: this.profiles.preview(form), preview: true }));
    }
    return this.render(res, me, { form, previewing: true });
  }

  @Get('editor.js')
  script(@Res() res: Response) {
    this.editorScript ??= readFileSync(EDITOR_SCRIPT, 'utf8');
    res.type('application/javascript').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(this.editorScript);
  }

  @Get('qr.svg')
  qrSvg(@Me() me: CurrentUser, @Res() res: Response) {
    return this.sendQr(me, res, 'svg');
  }

  @Get('qr.png')
  qrPng(@Me() me: CurrentUser, @Res() res: Response) {
    return this.sendQr(me, res, 'png');
  }

  private async sendQr(me: CurrentUser, res: Response, format: 'svg' | 'png') {
    const qr = await this.profiles.ownerQr(me.id, format);
    if (!qr) throw new ProfileNotFoundException();
    res.setHeader('Content-Disposition', `attachment; filename="devhub-${qr.username}-qr.${format}"`);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(qr.image.body);
  }

  @Post('domain')
  async setDomain(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const { value, errors } = await validateForm(CustomDomainDto, body);
    if (errors) return this.render(res, me, { domainErrors: errors, domainInput: value.customDomain }, 422);
    try {
      const state = await this.profiles.setDomain(me.id, value.customDomain);
      flash(req, 'info', `Now add the TXT record ${state.recordName} and press Verify.`);
      res.redirect(303, '/settings/profile#domain');
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { domainErrors: err.fields, domainInput: value.customDomain }, 422);
      throw err;
    }
  }

  @Post('domain/verify')
  async verifyDomain(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    try {
      const result = await this.profiles.verifyDomain(me.id);
      if (!result.verified) {
        const message = result.found.length
          ? `The TXT record at ${result.recordName} does not hold the token yet. DNS changes can take a few minutes to show.`
          : `No TXT record found at ${result.recordName} yet. DNS changes can take a few minutes to show.`;
        return this.render(res, me, { domainErrors: { customDomain: message }, dnsFound: result.found }, 422);
      }
      flash(req, 'success', 'Domain verified. Your profile now answers on it.');
      res.redirect(303, '/settings/profile#domain');
    } catch (err) {
      if (err instanceof FormError) return this.render(res, me, { domainErrors: err.fields }, 422);
      throw err;
    }
  }

  @Post('domain/remove')
  async removeDomain(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response) {
    await this.profiles.removeDomain(me.id);
    flash(req, 'success', 'The custom domain has been removed.');
    res.redirect(303, '/settings/profile#domain');
  }
}
