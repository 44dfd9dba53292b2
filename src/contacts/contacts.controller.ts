import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { FieldErrors, FormError, validateForm } from '../common/forms/validate-form';
import { AppRequest, flash, safeNext } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { utcToWallTime } from '../common/time';
import { ContactPagesService } from './contact-pages.service';
import { ContactsService } from './contacts.service';
import { ContactInputDto } from './dto/contact-input.dto';
import { FollowUpInputDto, InteractionInputDto } from './dto/interaction-input.dto';
import { FollowUpsService } from './follow-ups.service';
import { MANUAL_INTERACTION_TYPES } from './interaction.entity';
import { InteractionsService } from './interactions.service';

type Form = Record<string, unknown>;

/** Contact pages: list, create, view, edit, delete, merge, and the forms on the contact page. */
@Controller('contacts')
@UseGuards(SignedInGuard)
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly pages: ContactPagesService,
    private readonly interactions: InteractionsService,
    private readonly followUps: FollowUpsService,
  ) {}

  @Get()
  async list(@Me() me: CurrentUser, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('contacts/list', await this.pages.listModel(me, query));
  }

  @Get('new')
  newPage(@Res() res: Response) {
    res.render('contacts/form', this.pages.formModel(null, { isVip: false }));
  }

  @Post()
  async create(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const { value, errors } = await validateForm(ContactInputDto, body);
    if (errors) return res.status(422).render('contacts/form', this.pages.formModel(null, value, errors));
    const action = body.duplicateAction;
    const into = typeof req.query.into === 'string' ? req.query.into : body.into;
    if (action === 'merge' && typeof into === 'string') {
      const merged = await this.contacts.mergeInput(me.id, into, value);
      flash(req, 'success', `Added the new details to ${merged.name}.`);
      return res.redirect(303, `/contacts/${merged.id}`);
    }
    if (action !== 'create') {
      const duplicates = await this.contacts.findDuplicates(me.id, value);
      if (duplicates.length) return res.status(409).render('contacts/form', { ...this.pages.formModel(null, value), duplicates });
    }
    const created = await this.contacts.create(me.id, value);
    flash(req, 'success', `${created.name} has been added.`);
    res.redirect(303, `/contacts/${created.id}`);
  }

  @Post('bulk-tags')
  async bulkTags(@Me() me: CurrentUser, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const result = await this.pages.bulkTags(me, body);
    flash(req, result.ok ? 'success' : 'error', result.message);
    res.redirect(303, safeNext(body.returnTo, '/contacts'));
  }

  @Get(':id')
  async show(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    res.render('contacts/show', await this.pages.showModel(me, id));
  }

  @Get(':id/edit')
  async editPage(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    const contact = await this.contacts.get(me.id, id);
    res.render('contacts/form', this.pages.formModel(contact, contact));
  }

  @Post(':id')
  async update(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const contact = await this.contacts.get(me.id, id);
    const { value, errors } = await validateForm(ContactInputDto, body);
    if (errors) return res.status(422).render('contacts/form', this.pages.formModel(contact, value, errors));
    const duplicates = await this.contacts.findDuplicates(me.id, value, id);
    const updated = await this.contacts.update(me.id, id, { ...value, isVip: value.isVip ?? false, keepInTouchDays: value.keepInTouchDays ?? null });
    flash(req, 'success', 'Changes saved.');
    if (duplicates.length) flash(req, 'info', `Another contact has the same e-mail or GitHub username: you can merge them from this page.`);
    res.redirect(303, `/contacts/${updated.id}`);
  }

  @Get(':id/delete')
  async deletePage(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    const contact = await this.contacts.get(me.id, id);
    res.render('contacts/delete', { title: `Delete ${contact.name}`, nav: 'contacts', contact });
  }

  @Post(':id/delete')
  async remove(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    const contact = await this.contacts.get(me.id, id);
    await this.contacts.remove(me.id, id);
    flash(req, 'success', `${contact.name} has been deleted.`);
    res.redirect(303, '/contacts');
  }

  @Post(':id/merge')
  async merge(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const merged = await this.contacts.merge(me.id, id, String(body.otherId ?? ''));
    flash(req, 'success', `Merged into ${merged.name}: interactions, follow-ups and tags were kept.`);
    res.redirect(303, `/contacts/${merged.id}`);
  }

  @Post(':id/interactions')
  async logInteraction(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const { value, errors } = await validateForm(InteractionInputDto, body);
    try {
      // the composer refuses an empty entry (the API keeps accepting one: other sources write them)
      const blank: Record<string, string> = !errors?.summary && !(typeof value.summary === 'string' && value.summary.trim()) ? { summary: 'Write a few words about what you talked about.' } : {};
      if (errors || Object.keys(blank).length) throw new FormError({ ...blank, ...errors });
      await this.interactions.create(me.id, id, value, me.timezone);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return res.status(422).render('contacts/show', await this.pages.showModel(me, id, { interactionForm: body, interactionErrors: err.fields }));
    }
    flash(req, 'success', 'Interaction logged.');
    res.redirect(303, `/contacts/${id}`);
  }

  /** Quick date presets of the follow-up form ("tomorrow", "next-week", "next-month"), as a date in the user's zone. */
  private static presetDate(preset: unknown, timeZone: string, now = new Date()): string | null {
    const days = preset === 'tomorrow' ? 1 : preset === 'next-week' ? 7 : preset === 'next-month' ? 30 : 0;
    if (!days) return null;
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now.getTime() + days * 86400e3));
  }

  @Post(':id/follow-ups')
  async addFollowUp(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const preset = ContactsController.presetDate(body.preset, me.timezone);
    const { value, errors } = await validateForm(FollowUpInputDto, preset ? { ...body, dueAt: preset, preset: undefined } : body);
    try {
      if (errors) throw new FormError(errors);
      await this.followUps.create(me.id, id, value, me.timezone);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return res.status(422).render('contacts/show', await this.pages.showModel(me, id, { followUpForm: body, followUpErrors: err.fields }));
    }
    flash(req, 'success', 'Follow-up scheduled.');
    res.redirect(303, `/contacts/${id}`);
  }
}

/** Editing and deleting one interaction of the timeline. */
@Controller('interactions')
@UseGuards(SignedInGuard)
export class InteractionsController {
  constructor(private readonly interactions: InteractionsService) {}

  private render(res: Response, me: CurrentUser, interaction: { id: string; contactId: string; type: string; occurredAt: string; summary: string }, errors?: FieldErrors, status = 200) {
    res.status(status).render('contacts/interaction-edit', {
      title: 'Edit interaction',
      nav: 'contacts',
      interaction: { ...interaction, occurredAtLocal: /^\d{4}-/.test(interaction.occurredAt) && interaction.occurredAt.endsWith('Z') ? utcToWallTime(new Date(interaction.occurredAt), me.timezone) : interaction.occurredAt },
      types: MANUAL_INTERACTION_TYPES,
      errors,
    });
  }

  @Get(':id/edit')
  async edit(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    this.render(res, me, await this.interactions.get(me.id, id));
  }

  @Post(':id')
  async update(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response, @Body() body: Form) {
    const current = await this.interactions.get(me.id, id);
    const { value, errors } = await validateForm(InteractionInputDto, body);
    try {
      if (errors) throw new FormError(errors);
      await this.interactions.update(me.id, id, value, me.timezone);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return this.render(res, me, { ...current, type: String(body.type ?? ''), occurredAt: String(body.occurredAt ?? ''), summary: String(body.summary ?? '') }, err.fields, 422);
    }
    flash(req, 'success', 'Interaction updated.');
    res.redirect(303, `/contacts/${current.contactId}`);
  }

  @Post(':id/delete')
  async remove(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    const { contactId } = await this.interactions.remove(me.id, id);
    flash(req, 'success', 'Interaction deleted.');
    res.redirect(303, `/contacts/${contactId}`);
  }
}
