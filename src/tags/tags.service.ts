import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock';
import { FormError } from '../common/forms/validate-form';
import { ContactsService } from '../contacts/contacts.service';
import type { TagRef } from '../contacts/contact.mapper';
import { ContactNotFoundError, isId } from '../contacts/crm.errors';
import { TransactionService } from '../database/transaction.service';
import { Tag } from './tag.entity';

export interface TagView {
  id: string;
  name: string;
  contactCount: number;
}

export const TAG_MAX = 50;

/** Runs of white space and control characters (PostgreSQL refuses NUL) become one space. */
/** A tag name's spacing: runs of white space and control characters become one space, none at the ends. */
export const collapseSpaces = (raw: string) => raw.replace(/[\s\p{Cc}]+/gu, ' ').trim();

export function normalizeTagName(raw: unknown): string {
  if (typeof raw !== 'string') throw new FormError({ name: 'Enter a tag name.' });
  const name = collapseSpaces(raw);
  if (!name) throw new FormError({ name: 'Enter a tag name.' });
  if (name.length > TAG_MAX) throw new FormError({ name: `Use at most ${TAG_MAX} characters.` });
  return name;
}

@Injectable()
export class TagsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly contacts: ContactsService,
    private readonly clock: Clock,
  ) {}

  private async owned(m: EntityManager, userId: string, id: string): Promise<Tag> {
    if (!isId(id)) throw new ContactNotFoundError('Tag');
    const tag = await m.getRepository(Tag).findOne({ where: { id, userId } });
    if (!tag) throw new ContactNotFoundError('Tag');
    return tag;
  }

  private withCounts(userId: string) {
    return this.tx.manager
      .getRepository(Tag)
      .createQueryBuilder('t')
      .leftJoin('contact_tags', 'ct', 'ct.tag_id = t.id')
      .select(['t.id AS id', 't.name AS name', 'COUNT(ct.contact_id) AS count'])
      .where('t.user_id = :userId', { userId })
      .groupBy('t.id')
      .addGroupBy('t.name')
      .addGroupBy('t.name_key')
      .orderBy('t.name_key', 'ASC')
      .addOrderBy('t.id', 'ASC');
  }

  async list(userId: string): Promise<TagView[]> {
    const rows = await this.withCounts(userId).getRawMany<{ id: string; name: string; count: string | number }>();
    return rows.map((r) => ({ id: r.id, name: r.name, contactCount: Number(r.count) }));
  }

  /** One page of the user's tags (the API list), paginated in SQL. */
  async page(userId: string, limit: number, offset: number): Promise<{ items: TagView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.withCounts(userId).limit(limit).offset(offset).getRawMany<{ id: string; name: string; count: string | number }>(),
      this.tx.manager.getRepository(Tag).count({ where: { userId } }),
    ]);
    return { items: rows.map((r) => ({ id: r.id, name: r.name, contactCount: Number(r.count) })), total };
  }

  /** Tag names only (no counts): cheap enough for every contact-list request. */
  async names(userId: string): Promise<Array<{ id: string; name: string }>> {
    return this.tx.manager.getRepository(Tag).find({ where: { userId }, order: { nameKey: 'ASC' }, select: { id: true, name: true } });
  }

  /** Tag ids for names (case-insensitive); unknown names are dropped. */
  async idsForNames(userId: string, names: string[]): Promise<{ ids: string[]; unknown: string[] }> {
    // the same normalisation as a tag's name, so "?tag=a%20%20b" finds the tag "a b"
    const keys = [...new Set(names.map((n) => collapseSpaces(n).toLowerCase()).filter(Boolean))];
    if (!keys.length) return { ids: [], unknown: [] };
    const tags = await this.tx.manager.getRepository(Tag).find({ where: { userId, nameKey: In(keys) } });
    const found = new Set(tags.map((t) => t.nameKey));
    return { ids: tags.map((t) => t.id), unknown: keys.filter((k) => !found.has(k)) };
  }

  /**
   * The tags with these names, created where missing (an import's tags), keyed by the name as given,
   * lower-cased. A tag that exists keeps its own spelling.
   */
  ensureNamed(userId: string, names: string[]): Promise<Map<string, TagRef>> {
    return this.tx.run(async (m) => {
      const refs = new Map<string, TagRef>();
      for (const given of names) {
        if (refs.has(given.toLowerCase())) continue;
        const { tag } = await this.findOrCreate(m, userId, normalizeTagName(given));
        refs.set(given.toLowerCase(), { id: tag.id, name: tag.name });
      }
      return refs;
    });
  }

  private async findOrCreate(m: EntityManager, userId: string, name: string): Promise<{ tag: Tag; created: boolean }> {
    const repo = m.getRepository(Tag);
    const existing = await repo.findOne({ where: { userId, nameKey: name.toLowerCase() } });
    if (existing) return { tag: existing, created: false };
    const tag = repo.create({ id: randomUUID(), userId, name, nameKey: name.toLowerCase(), createdAt: this.clock.now() });
    await repo.insert(tag);
    return { tag, created: true };
  }

  create(userId: string, rawName: unknown): Promise<TagView> {
    const name = normalizeTagName(rawName);
    return this.tx.run(async (m) => {
      const { tag, created } = await this.findOrCreate(m, userId, name);
      if (!created) throw new FormError({ name: `A tag named "${tag.name}" already exists.` });
      return { id: tag.id, name: tag.name, contactCount: 0 };
    });
  }

  /** Renaming onto an existing name (ignoring case) merges the two tags. */
  rename(userId: string, id: string, rawName: unknown): Promise<{ tag: TagView; merged: boolean }> {
    const name = normalizeTagName(rawName);
    return this.tx.run(async (m) => {
      const tag = await this.owned(m, userId, id);
      const repo = m.getRepository(Tag);
      const target = await repo.findOne({ where: { userId, nameKey: name.toLowerCase() } });
      const affected = await this.contacts.contactIdsWithTag(m, tag.id);
      if (target && target.id !== tag.id) {
        for (const contactId of affected) await this.contacts.linkTag(m, contactId, target.id);
        await repo.delete({ id: tag.id, userId });
        await this.contacts.reindex(m, affected);
        const count = (await this.contacts.contactIdsWithTag(m, target.id)).length;
        return { tag: { id: target.id, name: target.name, contactCount: count }, merged: true };
      }
      await repo.update({ id: tag.id }, { name, nameKey: name.toLowerCase() });
      await this.contacts.reindex(m, affected);
      return { tag: { id: tag.id, name, contactCount: affected.length }, merged: false };
    });
  }

  remove(userId: string, id: string): Promise<void> {
    return this.tx.run(async (m) => {
      const tag = await this.owned(m, userId, id);
      const affected = await this.contacts.contactIdsWithTag(m, tag.id);
      await m.getRepository(Tag).delete({ id: tag.id, userId });
      await this.contacts.reindex(m, affected);
    });
  }

  /** Adds a tag (created on first use) to one of the user's contacts. */
  addToContact(userId: string, contactId: string, rawName: unknown) {
    const name = normalizeTagName(rawName);
    return this.tx.run(async (m) => {
      await this.contacts.requireOwned(userId, contactId, m);
      const { tag } = await this.findOrCreate(m, userId, name);
      if (await this.contacts.linkTag(m, contactId, tag.id)) {
        await this.contacts.reindex(m, [contactId]);
        await this.contacts.touch(m, userId, contactId);
      }
      return { id: tag.id, name: tag.name };
    });
  }

  removeFromContact(userId: string, contactId: string, tagId: string): Promise<void> {
    return this.tx.run(async (m) => {
      await this.contacts.requireOwned(userId, contactId, m);
      await this.owned(m, userId, tagId);
      if (await this.contacts.unlinkTag(m, contactId, tagId)) {
        await this.contacts.reindex(m, [contactId]);
        await this.contacts.touch(m, userId, contactId);
      }
    });
  }

  /** Applies or removes one tag on several contacts at once; ids that are not the user's are a 404. */
  bulk(userId: string, contactIds: string[], rawName: unknown, action: 'add' | 'remove'): Promise<number> {
    const name = normalizeTagName(rawName);
    const ids = [...new Set(contactIds)].slice(0, 500);
    return this.tx.run(async (m) => {
      await this.contacts.requireOwnedMany(userId, ids, m);
      const changed: string[] = [];
      if (action === 'add') {
        const { tag } = await this.findOrCreate(m, userId, name);
        for (const id of ids) if (await this.contacts.linkTag(m, id, tag.id)) changed.push(id);
      } else {
        const tag = await m.getRepository(Tag).findOne({ where: { userId, nameKey: name.toLowerCase() } });
        if (tag) for (const id of ids) if (await this.contacts.unlinkTag(m, id, tag.id)) changed.push(id);
      }
      await this.contacts.reindex(m, changed);
      for (const id of changed) await this.contacts.touch(m, userId, id);
      return changed.length;
    });
  }
}
