import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../auth/user.entity';
import { Clock } from '../common/clock';
import { FieldErrors, FormError } from '../common/forms/validate-form';
import { utcToWallTime } from '../common/time';
import { TagsService } from '../tags/tags.service';
import { ContactView, searchTerms } from './contact.mapper';
import { ContactSort } from './contacts.repository';
import { ContactsService } from './contacts.service';
import { FollowUpsService } from './follow-ups.service';
import { MANUAL_INTERACTION_TYPES } from './interaction.entity';
import { ContactPageSections } from './contact-page-sections';
import { InteractionsService } from './interactions.service';

export const CONTACTS_PER_PAGE = 25;
const SORTS: Array<{ value: ContactSort; label: string }> = [
  { value: 'relevance', label: 'Best match' },
  { value: 'name', label: 'Name' },
  { value: 'last', label: 'Last interaction' },
  { value: 'activity', label: 'GitHub activity' },
  { value: 'created', label: 'Date added' },
];
import { parsePage } from '../common/http/page-number';

const asArray = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]).map(String);

/** Builds the view models of the contact pages (controllers stay one call deep). */
@Injectable()
export class ContactPagesService {
  constructor(
    private readonly contacts: ContactsService,
    private readonly tags: TagsService,
    private readonly interactions: InteractionsService,
    private readonly followUps: FollowUpsService,
    private readonly clock: Clock,
    private readonly sections: ContactPageSections,
  ) {}

  async listModel(me: CurrentUser, query: Record<string, unknown>) {
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '';
    const tagNames = asArray(query.tag).slice(0, 10);
    // a search is ordered by relevance unless another order is chosen; without words, by name
    const defaultSort: ContactSort = q ? 'relevance' : 'name';
    const chosen = SORTS.some((s) => s.value === query.sort) ? (query.sort as ContactSort) : defaultSort;
    const sort = chosen === 'relevance' && !q ? 'name' : chosen;
    const page = parsePage(query.page);
    const { ids, unknown } = await this.tags.idsForNames(me.id, tagNames);
    const { items, total, fuzzy } = unknown.length
      ? { items: [], total: 0, fuzzy: false }
      : await this.contacts.list(me.id, { q, tagIds: ids, sort, limit: CONTACTS_PER_PAGE, offset: (page - 1) * CONTACTS_PER_PAGE });
    const allTags = await this.tags.names(me.id);
    const pages = Math.max(1, Math.ceil(total / CONTACTS_PER_PAGE));
    const link = (overrides: Record<string, string | number | string[] | undefined>) => {
      const params = new URLSearchParams();
      const merged = { q, tag: tagNames, sort: sort === defaultSort ? undefined : sort, page: undefined, ...overrides };
      for (const [k, v] of Object.entries(merged)) {
        for (const item of asArray(v)) if (item !== '' && item !== 'undefined') params.append(k, item);
      }
      const s = params.toString();
      return `/contacts${s ? `?${s}` : ''}`;
    };
    const activeKeys = new Set(tagNames.map((t) => t.toLowerCase()));
    return {
      title: 'Contacts',
      nav: 'contacts',
      q,
      sort,
      sorts: SORTS.filter((s) => q || s.value !== 'relevance').map((s) => ({ ...s, selected: s.value === sort })),
      contacts: items,
      // the words a search matched, for <mark> in the list (none for close matches: they differ)
      terms: q && !fuzzy ? searchTerms(q) : [],
      fuzzy: Boolean(fuzzy),
      pastEnd: !items.length && total > 0,
      lastPageLink: link({ page: pages }),
      total,
      page,
      pages,
      from: total ? (page - 1) * CONTACTS_PER_PAGE + 1 : 0,
      to: Math.min(page * CONTACTS_PER_PAGE, total),
      prevLink: page > 1 ? link({ page: page - 1 }) : null,
      nextLink: page < pages ? link({ page: page + 1 }) : null,
      filtered: Boolean(q || tagNames.length),
      activeTags: tagNames,
      tagFilters: allTags.map((t) => {
        const active = activeKeys.has(t.name.toLowerCase());
        const next = active ? tagNames.filter((n) => n.toLowerCase() !== t.name.toLowerCase()) : [...tagNames, t.name];
        return { ...t, active, href: link({ tag: next }) };
      }),
      clearLink: '/contacts',
      returnTo: link({ page }),
      allTagNames: allTags.map((t) => t.name),
    };
  }

  formModel(contact: ContactView | null, form: object, errors?: FieldErrors) {
    return {
      title: contact ? `Edit ${contact.name}` : 'New contact',
      nav: 'contacts',
      contact,
      form,
      errors,
      action: contact ? `/contacts/${contact.id}` : '/contacts',
    };
  }

  async showModel(
    me: CurrentUser,
    id: string,
    extra: { interactionForm?: object; interactionErrors?: FieldErrors; followUpForm?: object; followUpErrors?: FieldErrors } = {},
  ) {
    const contact = await this.contacts.get(me.id, id);
    const [timeline, followUps, duplicates, tagNames, sections] = await Promise.all([
      this.interactions.listForContact(me.id, id, 100),
      this.followUps.forContact(me.id, id),
      this.contacts.findDuplicates(me.id, contact, id),
      this.tags.names(me.id),
      this.sections.collect(me.id, id),
    ]);
    return {
      title: contact.name,
      nav: 'contacts',
      // tag names may hold &, #, + …: the filter link needs them URL-encoded
      contact: { ...contact, tags: contact.tags.map((t) => ({ ...t, href: `/contacts?tag=${encodeURIComponent(t.name)}` })) },
      timeline: timeline.items,
      timelineTotal: timeline.total,
      followUps,
      duplicates,
      tagSuggestions: tagNames.map((t) => t.name).filter((n) => !contact.tags.some((t) => t.name === n)),
      types: MANUAL_INTERACTION_TYPES,
      nowLocal: utcToWallTime(this.clock.now(), me.timezone),
      interactionForm: extra.interactionForm ?? { type: 'meeting' },
      interactionErrors: extra.interactionErrors,
      followUpForm: extra.followUpForm ?? {},
      followUpErrors: extra.followUpErrors,
      sections,
    };
  }

  async bulkTags(me: CurrentUser, body: Record<string, unknown>): Promise<{ ok: boolean; message: string }> {
    const ids = asArray(body.ids);
    if (!ids.length) return { ok: false, message: 'Select one or more contacts first.' };
    const action = body.action === 'remove' ? 'remove' : 'add';
    try {
      const changed = await this.tags.bulk(me.id, ids, body.tag, action);
      const tag = String(body.tag).trim();
      return { ok: true, message: action === 'add' ? `Tagged ${changed} contact(s) with "${tag}".` : `Removed "${tag}" from ${changed} contact(s).` };
    } catch (err) {
      if (err instanceof FormError) return { ok: false, message: err.message };
      throw err;
    }
  }
}
