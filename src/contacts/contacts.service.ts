import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { yieldToEventLoop } from '../common/event-loop';
import { TransactionService } from '../database/transaction.service';
import { OutboxService } from '../outbox/outbox.service';
import { ContactTag } from './contact-tag.entity';
import { Contact } from './contact.entity';
import { CONTACT_EDITABLE_FIELDS } from './contact-fields';
import { ContactView, newContactRow, normalizeDbDate, TagRef, toContactView } from './contact.mapper';
import { ContactQuery, ContactsRepository, GithubCandidate } from './contacts.repository';
import { CadenceService } from './cadence.service';
import { ContactInput } from './dto/contact-input.dto';
import { ContactNotFoundError, isId } from './crm.errors';
import { FollowUp } from './follow-up.entity';
import { Interaction } from './interaction.entity';

export const MAX_PAGE_SIZE = 100;
/** Contacts per INSERT in createMany (~20 columns each: well inside both databases' bind limits). */
export const CREATE_BATCH = 250;

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

@Injectable()
export class ContactsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly contacts: ContactsRepository,
    private readonly outbox: OutboxService,
    private readonly cadence: CadenceService,
    private readonly clock: Clock,
  ) {}

  /** Loads a contact of this user or throws a 404: another user's id looks exactly like a missing one. */
  async requireOwned(userId: string, id: string, m?: EntityManager): Promise<Contact> {
    const c = await this.contacts.findOwned(userId, id, m);
    if (!c) throw new ContactNotFoundError();
    return c;
  }

  /** All of `ids` must be this user's contacts, else a 404 (one query, not one per id). */
  async requireOwnedMany(userId: string, ids: string[], m?: EntityManager): Promise<void> {
    const rows = ids.every(isId) ? await this.contacts.findOwnedMany(userId, ids, m) : [];
    if (rows.length !== ids.length) throw new ContactNotFoundError();
  }

  async view(userId: string, contact: Contact, m?: EntityManager): Promise<ContactView> {
    const tags = await this.contacts.tagsFor([contact.id], m);
    return toContactView(contact, tags.get(contact.id));
  }

  async get(userId: string, id: string): Promise<ContactView> {
    return this.view(userId, await this.requireOwned(userId, id));
  }

  /** A page of contacts; `fuzzy` when a search found nothing and these are close matches (typos). */
  async list(userId: string, query: ContactQuery): Promise<{ items: ContactView[]; total: number; fuzzy?: boolean }> {
    const limit = Math.min(Math.max(query.limit, 1), MAX_PAGE_SIZE);
    const { rows, total, fuzzy } = await this.contacts.page(userId, { ...query, limit, offset: Math.max(query.offset, 0) });
    const tags = await this.contacts.tagsFor(rows.map((r) => r.id));
    return { items: rows.map((r) => toContactView(r, tags.get(r.id))), total, ...(fuzzy ? { fuzzy } : {}) };
  }

  findDuplicates(userId: string, probe: { email?: string | null; githubUsername?: string | null }, excludeId?: string): Promise<ContactView[]> {
    return this.contacts.findByEmailOrGithub(userId, probe, excludeId).then((rows) => rows.map((r) => toContactView(r)));
  }

  create(userId: string, input: ContactInput): Promise<ContactView> {
    return this.tx.run(async (m) => {
      const contact = m.getRepository(Contact).create(newContactRow(userId, input, this.clock.now()));
      await m.getRepository(Contact).insert(contact);
      const view = toContactView(contact);
      await this.outbox.record(m, userId, 'contact.created', view);
      await this.cadence.sync(m, contact);
      return view;
    });
  }

  /**
   * Many new contacts at once (an import), inside the caller's transaction: rows, tag links,
   * contact.created events (with the tags) and first cadence follow-ups go in batches of
   * CREATE_BATCH, one INSERT each, and other requests get a turn between batches. `onBatch` hears
   * which items a batch holds before it is written, so an error can be reported against them.
   */
  async createMany(
    m: EntityManager,
    userId: string,
    items: Array<{ input: ContactInput; tags: TagRef[] }>,
    onBatch?: (first: number, last: number) => void,
  ): Promise<void> {
    // stamped a millisecond apart in the order given (the last one now), so newest-first lists show
    // an import in file order, as if the contacts had been added one after the other
    const first = this.clock.now().getTime() - (items.length - 1);
    for (let i = 0; i < items.length; i += CREATE_BATCH) {
      const batch = items.slice(i, i + CREATE_BATCH);
      onBatch?.(i, i + batch.length - 1);
      // one link per tag, ordered by lower-cased name as SQLite's ORDER BY name_key orders them
      // (ContactsRepository.tagsFor, which reindex uses): search text and views agree with later reads
      const tagLists = batch.map(({ tags }) => [...new Map(tags.map((t) => [t.id, t])).values()].sort((a, b) => byKey(a.name.toLowerCase(), b.name.toLowerCase())));
      const rows = batch.map(({ input }, j) => newContactRow(userId, input, new Date(first + i + j), tagLists[j].map((t) => t.name)));
      await this.contacts.insertMany(
        m,
        rows,
        rows.flatMap((r, j) => tagLists[j].map((t) => ({ contactId: r.id, tagId: t.id }))),
      );
      await this.outbox.recordMany(m, userId, 'contact.created', rows.map((r, j) => toContactView(r, tagLists[j])));
      await this.cadence.scheduleForNew(m, rows);
      await yieldToEventLoop();
    }
  }

  /** Applies the fields present in `input` (PATCH semantics); absent fields stay as they are. */
  update(userId: string, id: string, input: Partial<ContactInput>): Promise<ContactView> {
    return this.tx.run(async (m) => {
      const contact = await this.requireOwned(userId, id, m);
      for (const key of CONTACT_EDITABLE_FIELDS) {
        if (input[key] !== undefined) (contact as unknown as Record<string, unknown>)[key] = input[key];
      }
      contact.sortName = contact.name.toLowerCase();
      contact.updatedAt = this.clock.now();
      await m.getRepository(Contact).save(contact);
      // save() leaves the date columns to the database (CURRENT_TIMESTAMP); store the clock's
      // time, which the contact.updated event and every later read show
      await m.getRepository(Contact).update({ id: contact.id }, { updatedAt: contact.updatedAt });
      await this.contacts.reindex(m, [contact.id]);
      await this.cadence.sync(m, contact);
      const view = await this.view(userId, contact, m);
      await this.outbox.record(m, userId, 'contact.updated', view);
      return view;
    });
  }

  remove(userId: string, id: string): Promise<void> {
    return this.tx.run(async (m) => {
      const contact = await this.requireOwned(userId, id, m);
      const view = await this.view(userId, contact, m);
      await m.getRepository(Contact).delete({ id: contact.id, userId });
      await this.outbox.record(m, userId, 'contact.deleted', view);
    });
  }

  /**
   * Folds `otherId` into `keepId`: the kept contact gains the other's interactions, follow-ups and
   * tags, its empty fields are filled from the other, notes are joined; the other is deleted.
   */
  merge(userId: string, keepId: string, otherId: string): Promise<ContactView> {
    return this.tx.run(async (m) => {
      if (keepId === otherId) throw new ContactNotFoundError();
      const keep = await this.requireOwned(userId, keepId, m);
      const other = await this.requireOwned(userId, otherId, m);
      const otherView = await this.view(userId, other, m);

      await m.getRepository(Interaction).update({ contactId: other.id, userId }, { contactId: keep.id });
      await m.getRepository(FollowUp).update({ contactId: other.id, userId }, { contactId: keep.id });
      const links = await m.getRepository(ContactTag).find({ where: { contactId: other.id } });
      for (const link of links) await this.contacts.linkTag(m, keep.id, link.tagId);

      fillBlanks(keep, other);
      keep.isVip = Boolean(keep.isVip || other.isVip);
      if (other.notes && other.notes !== keep.notes) keep.notes = keep.notes ? `${keep.notes}\n\n${other.notes}` : other.notes;
      if (other.keepInTouchDays && (!keep.keepInTouchDays || other.keepInTouchDays < keep.keepInTouchDays)) keep.keepInTouchDays = other.keepInTouchDays;
      if (other.createdAt < keep.createdAt) keep.createdAt = other.createdAt;
      keep.updatedAt = this.clock.now();
      await m.getRepository(Contact).save(keep);
      await m.getRepository(Contact).update({ id: keep.id }, { createdAt: keep.createdAt, updatedAt: keep.updatedAt });
      await m.getRepository(Contact).delete({ id: other.id, userId });
      await this.refreshLastInteraction(m, keep);
      await this.contacts.reindex(m, [keep.id]);
      // two cadence follow-ups may now point at one contact: keep one
      await this.cadence.sync(m, keep);
      const view = await this.view(userId, keep, m);
      await this.outbox.record(m, userId, 'contact.deleted', otherView);
      await this.outbox.record(m, userId, 'contact.updated', view);
      return view;
    });
  }

  /** Fills the empty fields of an existing contact from new input ("add details to existing"). */
  mergeInput(userId: string, id: string, input: ContactInput): Promise<ContactView> {
    return this.tx.run(async (m) => {
      const contact = await this.requireOwned(userId, id, m);
      const patch: Partial<ContactInput> = {};
      for (const key of CONTACT_EDITABLE_FIELDS) {
        const current = (contact as unknown as Record<string, unknown>)[key];
        const incoming = input[key];
        if ((current === null || current === undefined || current === '') && incoming !== undefined && incoming !== null) {
          (patch as Record<string, unknown>)[key] = incoming;
        }
      }
      if (input.notes && contact.notes && !contact.notes.includes(input.notes)) patch.notes = `${contact.notes}\n\n${input.notes}`;
      if (input.isVip) patch.isVip = true;
      return this.update(userId, id, patch);
    });
  }

  /** lastInteractionAt always equals the newest interaction (also after edits and deletions). */
  async refreshLastInteraction(m: EntityManager, contact: Contact): Promise<void> {
    const row = await m
      .getRepository(Interaction)
      .createQueryBuilder('i')
      .select('MAX(i.occurred_at)', 'last')
      .where('i.contact_id = :id', { id: contact.id })
      .getRawOne<{ last: string | Date | null }>();
    const last = row?.last ? normalizeDbDate(row.last) : null;
    if ((last?.getTime() ?? null) !== (contact.lastInteractionAt ? new Date(contact.lastInteractionAt).getTime() : null)) {
      contact.lastInteractionAt = last;
      // with the clock's time (TypeORM would otherwise write the database's CURRENT_TIMESTAMP)
      contact.updatedAt = this.clock.now();
      await m.getRepository(Contact).update({ id: contact.id }, { lastInteractionAt: last, updatedAt: contact.updatedAt });
    }
  }

  /** Tag links, for the tags module; `m` is the caller's transaction. */
  linkTag(m: EntityManager, contactId: string, tagId: string): Promise<boolean> {
    return this.contacts.linkTag(m, contactId, tagId);
  }

  unlinkTag(m: EntityManager, contactId: string, tagId: string): Promise<boolean> {
    return this.contacts.unlinkTag(m, contactId, tagId);
  }

  contactIdsWithTag(m: EntityManager, tagId: string): Promise<string[]> {
    return this.contacts.contactIdsWithTag(m, tagId);
  }

  reindex(m: EntityManager, contactIds: string[]): Promise<void> {
    return this.contacts.reindex(m, contactIds);
  }

  /** Records contact.updated with the contact as it is now (after a tag change). */
  async touch(m: EntityManager, userId: string, contactId: string): Promise<ContactView> {
    const contact = await this.requireOwned(userId, contactId, m);
    contact.updatedAt = this.clock.now();
    await m.getRepository(Contact).update({ id: contact.id }, { updatedAt: contact.updatedAt });
    const view = await this.view(userId, contact, m);
    await this.outbox.record(m, userId, 'contact.updated', view);
    return view;
  }

  /** From the trigger-kept contact_counts row, not a scan of the user's contacts. */
  count(userId: string): Promise<number> {
    return this.contacts.countAll(userId);
  }

  async recent(userId: string, limit = 5): Promise<ContactView[]> {
    return (await this.list(userId, { sort: 'created', limit, offset: 0 })).items;
  }

  /** Names of the user's contacts among `ids` (lists that show whose an item is). */
  async namesOf(userId: string, ids: string[]): Promise<Map<string, string>> {
    const rows = await this.contacts.findOwnedMany(userId, [...new Set(ids)].filter(isId));
    return new Map(rows.map((c) => [c.id, c.name]));
  }

  /** For the GitHub sync: the user's contacts with a GitHub username and what orders them (VIP, recent activity). */
  githubCandidates(userId: string): Promise<GithubCandidate[]> {
    return this.contacts.githubCandidates(userId);
  }

  /** For the GitHub sync's scheduler: users with at least one contact that has a GitHub username. */
  usersWithGithubContacts(): Promise<string[]> {
    return this.contacts.usersWithGithubContacts();
  }

  /** The GitHub sync's activity score (0–100); `m` is the sync's transaction. */
  async setActivityScore(m: EntityManager, userId: string, contactId: string, score: number | null): Promise<void> {
    await m.getRepository(Contact).update({ id: contactId, userId }, { activityScore: score });
  }
}


function fillBlanks(target: Contact, source: Contact) {
  for (const key of ['email', 'phone', 'company', 'title', 'location', 'githubUsername', 'twitter', 'linkedin', 'website'] as const) {
    if (!target[key] && source[key]) target[key] = source[key];
  }
}

export { normalizeDbDate } from './contact.mapper';
