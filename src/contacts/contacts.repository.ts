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

export type ContactSort = 'relevance' | 'name' | 'last' | 'created' | 'activity';

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

const ORDER_BY: Record<Exclude<ContactSort, 'relevance'>, string> = {
  name: 'c.sort_name ASC',
  // never-contacted last; a plain column (not a CASE expression) lets SQLite walk
  // IDX_contacts_user_last_interaction instead of sorting every contact of the user
  last: 'c.last_interaction_at DESC NULLS LAST',
  created: 'c.created_at DESC',
  // most active on GitHub first (IDX_contacts_user_activity); never-synced last
  activity: 'c.activity_score DESC NULLS LAST',
};

/** Candidates the typo fallback scores (the best by trigram overlap), and the matches it shows. */
const FUZZY_CANDIDATES = 200;
const FUZZY_LIMIT = 25;
/** Share of a word's trigrams a name or company word must share with it to count as a close match. */
const FUZZY_THRESHOLD = 0.45;

/** The token that marks a user's rows in contacts_search (migration ContactSearch). */
export const ownerToken = (userId: string) => `u${userId.replace(/-/g, '').toLowerCase()}`;

/** An FTS5 query over one user's part of contacts_search: every word, as a prefix, in name, company or the rest. */
export function ownedMatch(userId: string, terms: string[]): string {
  return `owner:${ownerToken(userId)} AND {name company body} : (${terms.map((t) => `"${t}"*`).join(' AND ')})`;
}

/** The trigrams of a word (the FTS5 trigram tokenizer's tokens). */
export function trigrams(word: string): string[] {
  const out = new Set<string>();
  const chars = [...word];
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  return [...out];
}

/** How close two words are: the share of the search word's trigrams the other one has (0..1). */
export function trigramSimilarity(term: string, word: string): number {
  const a = trigrams(term);
  if (!a.length) return 0;
  const b = new Set(trigrams(word));
  return a.filter((g) => b.has(g)).length / Math.max(a.length, b.size);
}

/** A PostgreSQL tsquery: every word as a prefix. */
const tsQuery = (terms: string[]) => terms.map((t) => `${t}:*`).join(' & ');

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
          ? `to_tsvector('simple', c.search_text) @@ to_tsquery('simple', ${param(tsQuery(terms))})`
          : `c.rowid IN (SELECT rowid FROM contacts_search WHERE contacts_search MATCH ${param(ownedMatch(userId, terms))})`,
      );
    }
    if (query.tagIds?.length) {
      where.push(
        `c.id IN (SELECT ct.contact_id FROM contact_tags ct WHERE ct.tag_id IN (${query.tagIds.map(param).join(', ')}) GROUP BY ct.contact_id HAVING COUNT(*) = ${param(query.tagIds.length)})`,
      );
    }
    return { where: where.join(' AND '), params };
  }

  /** LIMIT and OFFSET as literals (whole numbers, checked here): SQLite plans the top-N sort better with a literal limit. */
  private bounds(query: ContactQuery): [number, number] {
    return [query.limit, query.offset].map((n) => {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`invalid page bound ${n}`);
      return n;
    }) as [number, number];
  }

  /**
   * One page of contacts and the total, filtered, sorted and paginated in SQL. A search sorted by
   * relevance lists name matches, then company matches, then the rest; when it finds nothing, close
   * matches of name and company words (typos) are returned with `fuzzy` set.
   */
  async page(userId: string, query: ContactQuery): Promise<{ rows: ContactFields[]; total: number; fuzzy?: boolean }> {
    const f = this.filter(userId, query);
    if (!f) return { rows: [], total: 0 };
    const m = this.tx.manager;
    const [limit, offset] = this.bounds(query);
    const filtered = Boolean(query.q || query.tagIds?.length);
    const sort = query.sort ?? (query.q ? 'relevance' : 'name');
    if (query.q && sort === 'relevance') {
      const found = this.isPostgres ? await this.rankedPostgres(userId, query, f, limit, offset) : await this.rankedSqlite(userId, query, limit, offset);
      if (found.total === 0 && offset === 0) {
        const close = await this.closeMatches(userId, query);
        if (close.length) return { rows: close, total: close.length, fuzzy: true };
      }
      return found;
    }
    const order = ORDER_BY[sort === 'relevance' ? 'name' : sort];
    // unfiltered, the total is the trigger-kept counter (migration ContactCounts), read in the same
    // statement as the page: no scan of the user's contacts, no second round trip
    const counter = filtered ? '' : `, (SELECT n FROM contact_counts WHERE user_id = ${this.isPostgres ? '$1' : '?'}) AS "totalCount"`;
    const sql = `SELECT ${LIST_SELECT}${counter} FROM contacts c WHERE ${f.where} ORDER BY ${order}, c.id ASC LIMIT ${limit} OFFSET ${offset}`;
    // isVip is 0/1 on SQLite and times are text there; toContactView reads both
    // (unfiltered, SQLite's two ? are both the user id)
    if (filtered && query.q && !this.isPostgres) {
      // a search that matches nothing costs one index lookup, not a walk of the user's contacts
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
   * SQLite, by relevance: the count and the ranked rowids come from the user's part of
   * contacts_search alone (bm25 with the table's column weights); only the page's rows are read
   * from contacts. With a tag filter the index is joined to the contacts and their tags.
   */
  private async rankedSqlite(userId: string, query: ContactQuery, limit: number, offset: number): Promise<{ rows: ContactFields[]; total: number }> {
    const m = this.tx.manager;
    const match = ownedMatch(userId, searchTerms(query.q!));
    if (query.tagIds?.length) {
      const rest = this.filter(userId, { tagIds: query.tagIds })!;
      const from = `FROM contacts_search JOIN contacts c ON c.rowid = contacts_search.rowid WHERE contacts_search MATCH ? AND ${rest.where}`;
      const total = Number((await m.query(`SELECT COUNT(*) AS n ${from}`, [match, ...rest.params]))[0].n);
      if (total === 0 || offset >= total) return { rows: [], total };
      const rows: ContactFields[] = await m.query(`SELECT ${LIST_SELECT} ${from} ORDER BY contacts_search.rank, c.id LIMIT ${limit} OFFSET ${offset}`, [match, ...rest.params]);
      return { rows, total };
    }
    const total = Number((await m.query(`SELECT COUNT(*) AS n FROM contacts_search WHERE contacts_search MATCH ?`, [match]))[0].n);
    if (total === 0 || offset >= total) return { rows: [], total };
    const hits: Array<{ rowid: number }> = await m.query(`SELECT rowid FROM contacts_search WHERE contacts_search MATCH ? ORDER BY rank LIMIT ${limit} OFFSET ${offset}`, [match]);
    if (!hits.length) return { rows: [], total };
    const rows: Array<ContactFields & { _rowid: number }> = await m.query(
      `SELECT ${LIST_SELECT}, c.rowid AS "_rowid" FROM contacts c WHERE c.user_id = ? AND c.rowid IN (${hits.map(() => '?').join(', ')})`,
      [userId, ...hits.map((h) => h.rowid)],
    );
    const byRowid = new Map(rows.map(({ _rowid, ...row }) => [Number(_rowid), row as ContactFields]));
    return { rows: hits.map((h) => byRowid.get(Number(h.rowid))).filter((r): r is ContactFields => Boolean(r)), total };
  }

  /** PostgreSQL, by relevance: name matches, then company matches, then by ts_rank; ties by name. */
  private async rankedPostgres(userId: string, query: ContactQuery, f: { where: string; params: unknown[] }, limit: number, offset: number) {
    const m = this.tx.manager;
    const q = `to_tsquery('simple', $${f.params.length + 1})`;
    const order = `CASE WHEN to_tsvector('simple', c.name) @@ ${q} THEN 0 WHEN to_tsvector('simple', coalesce(c.company, '')) @@ ${q} THEN 1 ELSE 2 END,
      ts_rank(to_tsvector('simple', c.search_text), ${q}) DESC, c.sort_name ASC, c.id ASC`;
    const params = [...f.params, tsQuery(searchTerms(query.q!))];
    const rows: ContactFields[] = await m.query(`SELECT ${LIST_SELECT} FROM contacts c WHERE ${f.where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, params);
    const total = rows.length < limit && (rows.length || !offset) ? offset + rows.length : await this.countFiltered(userId, query, f);
    return { rows, total };
  }

  /**
   * The typo fallback: contacts whose name or company has a word close to every search word of
   * four letters or more (trigram overlap). SQLite reads candidates from contacts_trigram, PostgreSQL
   * from the pg_trgm index; without pg_trgm there is no fallback.
   */
  private async closeMatches(userId: string, query: ContactQuery): Promise<ContactFields[]> {
    const terms = searchTerms(query.q!).filter((t) => [...t].length >= 4);
    if (!terms.length || terms.length !== searchTerms(query.q!).length) return [];
    const rest = this.filter(userId, { tagIds: query.tagIds })!;
    const m = this.tx.manager;
    let candidates: ContactFields[];
    if (this.isPostgres) {
      if (!(await this.hasTrigramExtension())) return [];
      const n = rest.params.length;
      candidates = await m.query(
        `SELECT ${LIST_SELECT} FROM contacts c WHERE ${rest.where} AND $${n + 1} <% lower(c.name || ' ' || coalesce(c.company, ''))
          ORDER BY word_similarity($${n + 1}, lower(c.name || ' ' || coalesce(c.company, ''))) DESC, c.sort_name LIMIT ${FUZZY_CANDIDATES}`,
        [...rest.params, terms.join(' ')],
      );
    } else {
      const grams = [...new Set(terms.flatMap(trigrams))].map((g) => `"${g}"`).join(' OR ');
      candidates = await m.query(
        `SELECT ${LIST_SELECT} FROM contacts_trigram JOIN contacts c ON c.rowid = contacts_trigram.rowid
          WHERE contacts_trigram MATCH ? AND ${rest.where} ORDER BY contacts_trigram.rank LIMIT ${FUZZY_CANDIDATES}`,
        [grams, ...rest.params],
      );
    }
    const scored = candidates.map((c) => {
      const words = `${c.name} ${c.company ?? ''}`.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      const score = Math.min(...terms.map((t) => Math.max(0, ...words.map((w) => trigramSimilarity(t, w)))));
      return { c, score };
    });
    return scored
      .filter((s) => s.score >= FUZZY_THRESHOLD)
      .sort((a, b) => b.score - a.score || a.c.name.localeCompare(b.c.name))
      .slice(0, FUZZY_LIMIT)
      .map((s) => s.c);
  }

  private trigramExtension?: Promise<boolean>;
  /** Whether pg_trgm is installed (migration ContactSearch creates it where it may). */
  private hasTrigramExtension(): Promise<boolean> {
    return (this.trigramExtension ??= this.tx.manager
      .query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`)
      .then((rows: unknown[]) => rows.length > 0)
      .catch(() => false));
  }

  /**
   * The total of a filtered list. On SQLite a search counts from the user's part of contacts_search
   * joined to their rows only when tags also filter.
   */
  private async countFiltered(userId: string, query: Omit<ContactQuery, 'limit' | 'offset'>, f: { where: string; params: unknown[] }): Promise<number> {
    const m = this.tx.manager;
    if (query.q && !this.isPostgres) {
      const match = ownedMatch(userId, searchTerms(query.q));
      if (!query.tagIds?.length) return Number((await m.query(`SELECT COUNT(*) AS n FROM contacts_search WHERE contacts_search MATCH ?`, [match]))[0].n);
      const rest = this.filter(userId, { tagIds: query.tagIds })!;
      const rows = await m.query(`SELECT COUNT(*) AS n FROM contacts_search JOIN contacts c ON c.rowid = contacts_search.rowid WHERE contacts_search MATCH ? AND ${rest.where}`, [
        match,
        ...rest.params,
      ]);
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

