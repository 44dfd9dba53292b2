import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FieldErrors, FormError } from '../common/forms/validate-form';
import { EncryptionService } from '../common/crypto/encryption.service';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { EVENT_TYPES } from '../outbox/outbox.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhooksService } from './webhooks.service';
import { parsePage } from '../common/http/page-number';

type Form = Record<string, unknown>;
const LOG_PAGE = 50;
const FILTERS = ['all', 'succeeded', 'failed', 'pending'] as const;

@Controller('settings/webhooks')
@UseGuards(SignedInGuard)
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly dispatcher: WebhookDispatcher,
    private readonly encryption: EncryptionService,
  ) {}

  private eventChoices(selected: string[]) {
    return EVENT_TYPES.filter((e) => e !== 'webhook.test').map((e) => ({ value: e, checked: selected.includes(e) }));
  }

  private async renderList(res: Response, me: CurrentUser, extra: { form?: Form; errors?: FieldErrors } = {}, status = 200) {
    const endpoints = await this.webhooks.list(me.id);
    const selected = extra.form?.events ? ([] as string[]).concat(extra.form.events as string[]) : [];
    res.status(status).render('webhooks/list', {
      title: 'Webhooks',
      nav: 'settings',
      endpoints,
      form: extra.form ?? {},
      errors: extra.errors,
      eventChoices: this.eventChoices(selected),
    });
  }

  @Get()
  list(@Me() me: CurrentUser, @Res() res: Response) {
    return this.renderList(res, me);
  }

  /** Post/redirect/get: the secret goes to the endpoint's page once, encrypted in the session; a reload creates nothing. */
  @Post()
  async create(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    try {
      const { endpoint, secret } = await this.webhooks.create(me.id, { url: body.url, description: body.description, events: body.allEvents === 'true' ? [] : withCustom(body) });
      req.session.reveal = { kind: 'webhook', id: endpoint.id, secret: this.encryption.encrypt(secret) };
      return res.redirect(303, `/settings/webhooks/${endpoint.id}`);
    } catch (err) {
      if (err instanceof FormError) return this.renderList(res, me, { form: body, errors: err.fields }, 422);
      throw err;
    }
  }

  private async renderDetail(
    res: Response,
    me: CurrentUser,
    id: string,
    extra: { secret?: string; created?: boolean; rotated?: boolean; test?: object; form?: Form; errors?: FieldErrors; filter?: string; page?: number } = {},
    status = 200,
  ) {
    const endpoint = await this.webhooks.get(me.id, id);
    const filter = (FILTERS as readonly string[]).includes(extra.filter ?? '') ? (extra.filter as (typeof FILTERS)[number]) : 'all';
    const page = Math.max(1, extra.page ?? 1);
    const log = await this.webhooks.log(me.id, id, filter, LOG_PAGE, (page - 1) * LOG_PAGE);
    const missed = await this.webhooks.missedCount(me.id, id);
    const form = extra.form ?? { url: endpoint.url, description: endpoint.description, events: endpoint.events };
    const selected = ([] as string[]).concat((form.events as string[]) ?? []);
    res.status(status).render('webhooks/show', {
      title: `Webhook: ${endpoint.description || endpoint.url}`,
      nav: 'settings',
      endpoint,
      missed,
      secret: extra.secret,
      created: extra.created,
      rotated: extra.rotated,
      test: extra.test,
      form,
      errors: extra.errors,
      eventChoices: this.eventChoices(selected),
      allEvents: selected.length === 0,
      customEvents: selected.filter((e) => e.endsWith('.*')).join(' '),
      log: log.items,
      logTotal: log.total,
      filters: FILTERS.map((f) => ({ value: f, active: f === filter, href: `/settings/webhooks/${id}${f === 'all' ? '' : `?status=${f}`}` })),
      prevLink: page > 1 ? `/settings/webhooks/${id}?status=${filter}&page=${page - 1}` : null,
      nextLink: page * LOG_PAGE < log.total ? `/settings/webhooks/${id}?status=${filter}&page=${page + 1}` : null,
    });
  }

  @Get(':id')
  show(@Me() me: CurrentUser, @Param('id') id: string, @Query('status') status: string | undefined, @Query('page') page: string | undefined, @Req() req: AppRequest, @Res() res: Response) {
    const reveal = req.session.reveal?.kind === 'webhook' && req.session.reveal.id === id ? req.session.reveal : undefined;
    if (reveal) {
      delete req.session.reveal;
      res.setHeader('Cache-Control', 'no-store');
      return this.renderDetail(res, me, id, { secret: this.encryption.decrypt(reveal.secret), created: true });
    }
    return this.renderDetail(res, me, id, { filter: status, page: parsePage(page) });
  }

  @Post(':id')
  async update(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    try {
      await this.webhooks.update(me.id, id, { url: body.url, description: body.description, events: body.allEvents === 'true' ? [] : withCustom(body) });
    } catch (err) {
      if (err instanceof FormError) return this.renderDetail(res, me, id, { form: body, errors: err.fields }, 422);
      throw err;
    }
    flash(req, 'success', 'Endpoint saved.');
    res.redirect(303, `/settings/webhooks/${id}`);
  }

  @Post(':id/enable')
  async enable(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const on = body.enabled === 'true';
    await this.webhooks.setEnabled(me.id, id, on);
    flash(req, 'success', on ? 'Endpoint turned on.' : 'Endpoint turned off: no deliveries until you turn it on again.');
    res.redirect(303, `/settings/webhooks/${id}`);
  }

  @Post(':id/send-missed')
  async sendMissed(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    const n = await this.webhooks.sendMissed(me.id, id);
    flash(req, 'success', n ? `Sending the ${n} missed event${n === 1 ? '' : 's'}: they appear in the delivery log as they go out.` : 'No missed events to send.');
    res.redirect(303, `/settings/webhooks/${id}`);
  }

  @Post(':id/rotate')
  async rotate(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    const { secret } = await this.webhooks.rotateSecret(me.id, id);
    res.setHeader('Cache-Control', 'no-store');
    return this.renderDetail(res, me, id, { secret, rotated: true });
  }

  @Post(':id/test')
  async test(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    const outcome = await this.dispatcher.sendTest(me.id, id);
    return this.renderDetail(res, me, id, { test: outcome });
  }

  @Post(':id/delete')
  async remove(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    await this.webhooks.remove(me.id, id);
    flash(req, 'success', 'Endpoint deleted with its delivery log.');
    res.redirect(303, '/settings/webhooks');
  }

  @Post(':id/deliveries/:deliveryId/resend')
  async resend(@Me() me: CurrentUser, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Req() req: AppRequest, @Res() res: Response) {
    const outcome = await this.dispatcher.resend(me.id, id, deliveryId);
    flash(req, outcome.ok ? 'success' : 'error', outcome.ok ? `Resent: HTTP ${outcome.statusCode}.` : `Resend failed: ${outcome.error ?? 'error'}${outcome.status === 'retrying' ? ' (will retry)' : ''}.`);
    res.redirect(303, `/settings/webhooks/${id}`);
  }
}

/** Checkbox events plus free-text wildcards ("contact.* followup.*"). */
function withCustom(body: Form): string[] {
  const chosen = ([] as unknown[]).concat(body.events ?? []).map(String);
  const custom = typeof body.customEvents === 'string' ? body.customEvents.split(/[\s,]+/).filter(Boolean) : [];
  return [...chosen, ...custom];
}

