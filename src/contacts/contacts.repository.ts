import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { ContactTag } from './contact-tag.entity';
import { Contact } from './contact.entity';
import { buildSearchText, ContactFields, normalizeDbDate, searchTerms, TagRef } from './contact.mapper';
import { isId } from './crm.errors';


/** A contact the GitHub sync may refresh, with what orders the batch (VIP, recent activity). */
export interface GithubCandidate {
  id: string;
  name: string;
  githubUsername: string;
  isVip: boolean;
  lastInteractionAt: Date | null;
  hasOpenFollowUp: boolean;
}

export type ContactSort = 'name' | 'last' | 'created' | 'activity';

export interface ContactQuery {
  q?: string;
  tagIds?: string[];
  sort?: ContactSort;
  limit: number;
  offset: number;
}

/**
 * The columns a contact list shows, aliased to the field names toContactView reads, so a raw row
 * goes straight to the view: no search_text, no entity hydration, no intermediate object.
 */
const LIST_SELECT = [
  ['id', 'id'],
  ['user_id', 'userId'],
  ['name', 'name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['company', 'company'],
  ['title', 'title'],
  ['location', 'location'],
  ['github_username', 'githubUsername'],
  ['twitter', 'twitter'],
  ['linkedin', 'linkedin'],
  ['website', 'website'],
  ['notes', 'notes'],
  ['is_vip', 'isVip'],
  ['keep_in_touch_days', 'keepInTouchDays'],
  ['last_interaction_at', 'lastInteractionAt'],
  ['activity_score', 'activityScore'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
]
  .map(([column, field]) => `c.${column} AS "${field}"`)
  .join(', ');

const ORDER_BY: Record<ContactSort, string> = {
  name: 'c.sort_name ASC',
  // never-contacted last; a plain column (not a CASE expression) lets SQLite walk
  // IDX_contacts_user_last_interaction instead of sorting every contact of the user
  last: 'c.last_interaction_at DESC NULLS LAST',
  created: 'c.created_at DESC',
  // most active on GitHub first (IDX_contacts_user_activity); never-synced last
  activity: 'c.activity_score DESC NULLS LAST',
};

/** Two bound values a link: 10,000 a statement, well inside SQLite's 32,766 and PostgreSQL's 65,535. */
const LINKS_PER_INSERT = 5000;

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
    if (!isId(id)) return Promise.resolve(null);
    return this.m(m).getRepository(Contact).findOne({ where: { id, userId } });
  }

  findOwnedMany(userId: string, ids: string[], m?: EntityManager): Promise<Contact[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.m(m).getRepository(Contact).find({ where: { id: In(ids), userId } });
  }

  /**
   * The WHERE clause of a contact list and its parameters ($n on PostgreSQL, ? on SQLite); null when
   * the search has no usable words. Plain SQL: every contact list runs it, and building it through
   * the query builder cost more than running it (bench/api).
   */
  private filter(userId: string, query: Omit<ContactQuery, 'limit' | 'offset'>): { where: string; params: unknown[] } | null {
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return this.isPostgres ? `$${params.length}` : '?';
    };
    const where = [`c.user_id = ${param(userId)}`];
    if (query.q) {
      const terms = searchTerms(query.q);
      if (!terms.length) return null;
      where.push(
        this.isPostgres
          ? `to_tsvector('simple', c.search_text) @@ to_tsquery('simple', ${param(terms.map((t) => `${t}:*`).join(' & '))})`
          : `c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ${param(terms.map((t) => `"${t}"*`).join(' '))})`,
      );
    }
    if (query.tagIds?.length) {
      where.push(
        `c.id IN (SELECT ct.contact_id FROM contact_tags ct WHERE ct.tag_id IN (${query.tagIds.map(param).join(', ')}) GROUP BY ct.contact_id HAVING COUNT(*) = ${param(query.tagIds.length)})`,
      );
    }
    return { where: where.join(' AND '), params };
  }

  /** One page of contacts and the total, filtered, sorted and paginated in SQL. */
  async page(userId: string, query: ContactQuery): Promise<{ rows: ContactFields[]; total: number }> {
    const f = this.filter(userId, query);
    if (!f) return { rows: [], total: 0 };
    const m = this.tx.manager;
    // LIMIT and OFFSET as literals (whole numbers, checked here), as the query builder wrote them:
    // SQLite plans the top-N sort better with a literal limit (~0.25 ms instead of ~0.5 ms for 50 rows)
    const [limit, offset] = [query.limit, query.offset].map((n) => {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`invalid page bound ${n}`);
      return n;
    });
    const filtered = Boolean(query.q || query.tagIds?.length);
    // unfiltered, the total is the trigger-kept counter (migration ContactCounts), read in the same
    // statement as the page: no scan of the user's contacts, no second round trip
    const counter = filtered ? '' : `, (SELECT n FROM contact_counts WHERE user_id = ${this.isPostgres ? '$1' : '?'}) AS "totalCount"`;
    const sql = `SELECT ${LIST_SELECT}${counter} FROM contacts c WHERE ${f.where} ORDER BY ${ORDER_BY[query.sort ?? 'name']}, c.id ASC LIMIT ${limit} OFFSET ${offset}`;
    // isVip is 0/1 on SQLite and times are text there; toContactView reads both
    // (unfiltered, SQLite's two ? are both the user id)
    if (filtered && query.q && !this.isPostgres) {
      // a search that matches nothing costs one FTS lookup, not a walk of the user's contacts
      const total = await this.countFiltered(userId, query, f);
      if (total === 0 || offset >= total) return { rows: [], total };
      const rows: ContactFields[] = await m.query(sql, f.params);
      return { rows, total };
    }
    const rows: Array<ContactFields & { totalCount?: number | string }> = await m.query(sql, this.isPostgres || filtered ? f.params : [userId, userId]);
    let total: number;
    if (filtered) total = await this.countFiltered(userId, query, f);
    else total = rows.length ? Number(rows[0].totalCount ?? 0) : await this.countAll(userId);
    return { rows, total };
  }

  /**
   * The total of a filtered list. On SQLite a search counts from the FTS index joined to the
   * user's rows (about half the cost of `rowid IN (…)`, see bench/contacts).
   */
  private async countFiltered(userId: string, query: Omit<ContactQuery, 'limit' | 'offset'>, f: { where: string; params: unknown[] }): Promise<number> {
    const m = this.tx.manager;
    if (query.q && !this.isPostgres) {
      const rest = this.filter(userId, { tagIds: query.tagIds })!;
      const match = searchTerms(query.q).map((t) => `"${t}"*`).join(' ');
      const rows = await m.query(
        `SELECT COUNT(*) AS n FROM contacts_fts JOIN contacts c ON c.rowid = contacts_fts.rowid WHERE contacts_fts MATCH ? AND ${rest.where}`,
        [match, ...rest.params],
      );
      return Number(rows[0].n);
    }
    return Number((await m.query(`SELECT COUNT(*) AS n FROM contacts c WHERE ${f.where}`, f.params))[0].n);
  }

  /** All of the user's contacts, from contact_counts. */
  async countAll(userId: string, m?: EntityManager): Promise<number> {
    const rows: Array<{ n: number | string }> = await this.m(m).query(`SELECT n FROM contact_counts WHERE user_id = ${this.isPostgres ? '$1' : '?'}`, [userId]);
    return rows.length ? Number(rows[0].n) : 0;
  }

  /** Contacts of this user with the same e-mail or GitHub username (both stored lower-cased). */
  async findByEmailOrGithub(userId: string, probe: { email?: string | null; githubUsername?: string | null }, excludeId?: string): Promise<Contact[]> {
    const email = probe.email?.toLowerCase() || null;
    const github = probe.githubUsername?.toLowerCase() || null;
    if (!email && !github) return [];
    // One lookup per key on IDX_contacts_user_email / IDX_contacts_user_github, merged and ordered
    // here: with ORDER BY created_at in SQL, SQLite (without table statistics) walked
    // IDX_contacts_user_created over every contact of the user instead (~10 ms at 20,000 contacts).
    const lookup = (column: 'email' | 'github_username', value: string) => {
      const qb = this.tx.manager.getRepository(Contact).createQueryBuilder('c').where('c.user_id = :userId', { userId }).andWhere(`c.${column} = :value`, { value });
      if (excludeId) qb.andWhere('c.id <> :excludeId', { excludeId });
      return qb.limit(10).getMany();
    };
    const rows = [...(email ? await lookup('email', email) : []), ...(github ? await lookup('github_username', github) : [])];
    return [...new Map(rows.map((r) => [r.id, r])).values()]
      .sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime() || a.id.localeCompare(b.id))
      .slice(0, 10);
  }

  async tagsFor(contactIds: string[], m?: EntityManager): Promise<Map<string, TagRef[]>> {
    const map = new Map<string, TagRef[]>(contactIds.map((id) => [id, []]));
    if (!contactIds.length) return map;
    // plain SQL: this runs for every contact list, and building it through the query builder cost more than running it
    const placeholders = contactIds.map((_, i) => (this.isPostgres ? `$${i + 1}` : '?')).join(', ');
    const rows: Array<{ contact_id: string; id: string; name: string }> = await this.m(m).query(
      `SELECT ct.contact_id AS contact_id, t.id AS id, t.name AS name FROM contact_tags ct INNER JOIN tags t ON t.id = ct.tag_id
        WHERE ct.contact_id IN (${placeholders}) ORDER BY t.name_key ASC`,
      contactIds,
    );
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
      // passing updatedAt keeps TypeORM from setting it to CURRENT_TIMESTAMP: the index is not an edit
      if (searchText !== c.searchText) await m.getRepository(Contact).update({ id: c.id }, { searchText, updatedAt: c.updatedAt });
    }
  }

  async linkTag(m: EntityManager, contactId: string, tagId: string): Promise<boolean> {
    const repo = m.getRepository(ContactTag);
    if (await repo.exists({ where: { contactId, tagId } })) return false;
    await repo.insert({ contactId, tagId });
    return true;
  }

  /**
   * New contacts (one INSERT: the caller keeps the batch small) and their tag links (INSERTs of at
   * most LINKS_PER_INSERT, as rows with many tags each could pass SQLite's bound-variable limit).
   */
  async insertMany(m: EntityManager, rows: Contact[], links: Array<{ contactId: string; tagId: string }>): Promise<void> {
    if (rows.length) await m.createQueryBuilder().insert().into(Contact).values(rows).updateEntity(false).execute();
    for (let i = 0; i < links.length; i += LINKS_PER_INSERT) {
      await m.createQueryBuilder().insert().into(ContactTag).values(links.slice(i, i + LINKS_PER_INSERT)).updateEntity(false).execute();
    }
  }

  async unlinkTag(m: EntityManager, contactId: string, tagId: string): Promise<boolean> {
    const res = await m.getRepository(ContactTag).delete({ contactId, tagId });
    return (res.affected ?? 0) > 0;
  }

  async contactIdsWithTag(m: EntityManager, tagId: string): Promise<string[]> {
    const rows = await m.getRepository(ContactTag).find({ where: { tagId }, select: { contactId: true } });
    return rows.map((r) => r.contactId);
  }

  /** Contacts with a GitHub username, with whether they have an open follow-up (one query, one user). */
  async githubCandidates(userId: string): Promise<GithubCandidate[]> {
    const rows = await this.tx.manager
      .getRepository(Contact)
      .createQueryBuilder('c')
      .select(['c.id AS "id"', 'c.name AS "name"', 'c.github_username AS "githubUsername"', 'c.is_vip AS "isVip"', 'c.last_interaction_at AS "lastInteractionAt"'])
      .addSelect("(SELECT COUNT(*) FROM follow_ups f WHERE f.contact_id = c.id AND f.status = 'open')", 'openFollowUps')
      .where('c.user_id = :userId AND c.github_username IS NOT NULL', { userId })
      .getRawMany<{ id: string; name: string; githubUsername: string; isVip: boolean | number; lastInteractionAt: string | Date | null; openFollowUps: number | string }>();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      githubUsername: r.githubUsername,
      isVip: Boolean(r.isVip),
      lastInteractionAt: r.lastInteractionAt ? normalizeDbDate(r.lastInteractionAt) : null,
      hasOpenFollowUp: Number(r.openFollowUps) > 0,
    }));
  }

  async usersWithGithubContacts(): Promise<string[]> {
    const rows = await this.tx.manager.query('SELECT DISTINCT user_id AS "userId" FROM contacts WHERE github_username IS NOT NULL');
    return (rows as Array<{ userId: string }>).map((r) => r.userId);
  }
}

