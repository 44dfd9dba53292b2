import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { Tag } from '../tags/tag.entity';
import { ContactTag } from './contact-tag.entity';
import { Contact } from './contact.entity';
import { buildSearchText, searchTerms, TagRef } from './contact.mapper';

export type ContactSort = 'name' | 'last' | 'created';

export interface ContactQuery {
  q?: string;
  tagIds?: string[];
  sort?: ContactSort;
  limit: number;
  offset: number;
}

/** TypeORM access for contacts and their tag links; no business rules here. */
@Injectable()
export class ContactsRepository {
  constructor(private readonly tx: TransactionService) {}

  private m(m?: EntityManager) {
    return m ?? this.tx.manager;
  }

  private get isPostgres() {
    return this.tx.manager.connection.options.type === 'postgres';
  }

  findOwned(userId: string, id: string, m?: EntityManager): Promise<Contact | null> {
    return this.m(m).getRepository(Contact).findOne({ where: { id, userId } });
  }

  findOwnedMany(userId: string, ids: string[], m?: EntityManager): Promise<Contact[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.m(m).getRepository(Contact).find({ where: { id: In(ids), userId } });
  }

  private filtered(userId: string, query: Omit<ContactQuery, 'limit' | 'offset'>): SelectQueryBuilder<Contact> | null {
    const qb = this.tx.manager.getRepository(Contact).createQueryBuilder('c').where('c.user_id = :userId', { userId });
    if (query.q) {
      const terms = searchTerms(query.q);
      if (!terms.length) return null;
      if (this.isPostgres) {
        qb.andWhere(`to_tsvector('simple', c.search_text) @@ to_tsquery('simple', :tsq)`, { tsq: terms.map((t) => `${t}:*`).join(' & ') });
      } else {
        qb.andWhere(`c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH :match)`, {
          match: terms.map((t) => `"${t}"*`).join(' '),
        });
      }
    }
    if (query.tagIds?.length) {
      qb.andWhere(
        `c.id IN (SELECT ct.contact_id FROM contact_tags ct WHERE ct.tag_id IN (:...tagIds) GROUP BY ct.contact_id HAVING COUNT(*) = :tagCount)`,
        { tagIds: query.tagIds, tagCount: query.tagIds.length },
      );
    }
    return qb;
  }

  /** One page of contacts and the total, filtered, sorted and paginated in SQL. */
  async page(userId: string, query: ContactQuery): Promise<{ rows: Contact[]; total: number }> {
    const qb = this.filtered(userId, query);
    if (!qb) return { rows: [], total: 0 };
    const total = await qb.clone().getCount();
    switch (query.sort ?? 'name') {
      case 'last':
        qb.orderBy('CASE WHEN c.last_interaction_at IS NULL THEN 1 ELSE 0 END', 'ASC').addOrderBy('c.last_interaction_at', 'DESC');
        break;
      case 'created':
        qb.orderBy('c.created_at', 'DESC');
        break;
      default:
        qb.orderBy('c.sort_name', 'ASC');
    }
    qb.addOrderBy('c.id', 'ASC').limit(query.limit).offset(query.offset);
    return { rows: await qb.getMany(), total };
  }

  /** Contacts of this user with the same e-mail or GitHub username (both stored lower-cased). */
  findByEmailOrGithub(userId: string, probe: { email?: string | null; githubUsername?: string | null }, excludeId?: string): Promise<Contact[]> {
    const email = probe.email?.toLowerCase() || null;
    const github = probe.githubUsername?.toLowerCase() || null;
    if (!email && !github) return Promise.resolve([]);
    const qb = this.tx.manager
      .getRepository(Contact)
      .createQueryBuilder('c')
      .where('c.user_id = :userId', { userId })
      .andWhere(
        new Brackets((w) => {
          if (email) w.orWhere('c.email = :email', { email });
          if (github) w.orWhere('c.github_username = :github', { github });
        }),
      );
    if (excludeId) qb.andWhere('c.id <> :excludeId', { excludeId });
    return qb.orderBy('c.created_at', 'ASC').limit(10).getMany();
  }

  async tagsFor(contactIds: string[], m?: EntityManager): Promise<Map<string, TagRef[]>> {
    const map = new Map<string, TagRef[]>(contactIds.map((id) => [id, []]));
    if (!contactIds.length) return map;
    const rows: Array<{ contact_id: string; id: string; name: string }> = await this.m(m)
      .createQueryBuilder()
      .select(['ct.contact_id AS contact_id', 't.id AS id', 't.name AS name'])
      .from(ContactTag, 'ct')
      .innerJoin(Tag, 't', 't.id = ct.tag_id')
      .where('ct.contact_id IN (:...ids)', { ids: contactIds })
      .orderBy('t.name_key', 'ASC')
      .getRawMany();
    for (const r of rows) map.get(r.contact_id)?.push({ id: r.id, name: r.name });
    return map;
  }

  /** Recomputes search_text from the contact's fields and tag names (the FTS index follows by trigger). */
  async reindex(m: EntityManager, contactIds: string[]): Promise<void> {
    if (!contactIds.length) return;
    const contacts = await m.getRepository(Contact).find({ where: { id: In(contactIds) } });
    const tags = await this.tagsFor(contactIds, m);
    for (const c of contacts) {
      const searchText = buildSearchText(c, (tags.get(c.id) ?? []).map((t) => t.name));
      if (searchText !== c.searchText) await m.getRepository(Contact).update({ id: c.id }, { searchText });
    }
  }

  async linkTag(m: EntityManager, contactId: string, tagId: string): Promise<boolean> {
    const repo = m.getRepository(ContactTag);
    if (await repo.exists({ where: { contactId, tagId } })) return false;
    await repo.insert({ contactId, tagId });
    return true;
  }

  async unlinkTag(m: EntityManager, contactId: string, tagId: string): Promise<boolean> {
    const res = await m.getRepository(ContactTag).delete({ contactId, tagId });
    return (res.affected ?? 0) > 0;
  }

  async contactIdsWithTag(m: EntityManager, tagId: string): Promise<string[]> {
    const rows = await m.getRepository(ContactTag).find({ where: { tagId }, select: { contactId: true } });
    return rows.map((r) => r.contactId);
  }
}
