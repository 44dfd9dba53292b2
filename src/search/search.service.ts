import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../auth/user.entity';
import { searchTerms } from '../contacts/contact.mapper';
import { ContactsService } from '../contacts/contacts.service';
import { InteractionsService } from '../contacts/interactions.service';
import { TagsService } from '../tags/tags.service';

const CONTACTS = 10;
const INTERACTIONS = 10;
const TAGS = 20;

/** The header's search: the user's contacts (ranked), tags and interactions that match, in one page. */
@Injectable()
export class SearchService {
  constructor(
    private readonly contacts: ContactsService,
    private readonly tags: TagsService,
    private readonly interactions: InteractionsService,
  ) {}

  async viewModel(me: CurrentUser, raw: unknown) {
    const q = typeof raw === 'string' ? raw.trim().slice(0, 200) : '';
    const terms = searchTerms(q);
    if (!terms.length) return { title: 'Search', q, globalQ: q, terms, searched: false };
    const [contacts, tagNames, interactions] = await Promise.all([
      this.contacts.list(me.id, { q, sort: 'relevance', limit: CONTACTS, offset: 0 }),
      this.tags.names(me.id),
      this.interactions.search(me.id, terms, INTERACTIONS),
    ]);
    // a tag matches when every word starts one of its words (tags are few per user: filtered here)
    const tags = tagNames
      .filter((t) => {
        const words = t.name.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
        return terms.every((term) => words.some((w) => w.startsWith(term)));
      })
      .slice(0, TAGS)
      .map((t) => ({ ...t, href: `/contacts?tag=${encodeURIComponent(t.name)}` }));
    return {
      title: `Search: ${q}`,
      q,
      globalQ: q,
      terms: contacts.fuzzy ? [] : terms,
      searched: true,
      contacts: contacts.items,
      contactsTotal: contacts.total,
      contactsFuzzy: Boolean(contacts.fuzzy),
      contactsMore: contacts.total > contacts.items.length ? `/contacts?q=${encodeURIComponent(q)}` : null,
      tags,
      interactions,
      nothing: !contacts.items.length && !tags.length && !interactions.length,
    };
  }
}
