import { randomUUID } from 'node:crypto';
import { Contact } from '../../src/contacts/contact.entity';
import { ContactView, toContactView, toFollowUpView, toInteractionView } from '../../src/contacts/contact.mapper';
import { FollowUp } from '../../src/contacts/follow-up.entity';
import { Interaction } from '../../src/contacts/interaction.entity';
import { csrfFrom, signUp, TestApp } from './test-app';

type Agent = ReturnType<TestApp['agent']>;
export type FormFields = Record<string, string | string[] | undefined>;

/** URL-encodes a form the way a browser does: repeated keys for lists (`ids=a&ids=b`). */
export function formBody(fields: FormFields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) p.append(k, item);
  }
  return p.toString();
}

/** A signed-in user driving the pages: a cookie jar plus the session's CSRF token. */
export class Browser {
  private constructor(
    readonly t: TestApp,
    readonly agent: Agent,
    readonly csrf: string,
    readonly email: string,
  ) {}

  static async signUp(t: TestApp, name: string, email = `${name.split(' ')[0].toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`): Promise<Browser> {
    const agent = t.agent();
    await signUp(agent, { name, email });
    const page = await agent.get('/contacts/new').expect(200);
    return new Browser(t, agent, csrfFrom(page.text), email);
  }

  get(path: string) {
    return this.agent.get(path).redirects(0);
  }

  /** POSTs a form with this session's CSRF token (pass `_csrf` to override it). */
  post(path: string, fields: FormFields = {}) {
    return this.agent.post(path).redirects(0).type('form').send(formBody({ _csrf: this.csrf, ...fields }));
  }

  async userId(): Promise<string> {
    const [row] = await this.t.dataSource.query(`SELECT id FROM users WHERE email = ${param(this.t)}`, [this.email.toLowerCase()]);
    return row.id;
  }

  async setTimezone(timezone: string, name = 'Time Traveller') {
    const res = await this.post('/settings/account', { name, email: this.email, timezone });
    if (res.status !== 303) throw new Error(`timezone change failed with ${res.status}: ${res.text.slice(0, 300)}`);
  }

  /** Creates a contact through the form (duplicates created anyway) and returns its id. */
  async createContact(fields: FormFields = {}): Promise<string> {
    const res = await this.post('/contacts', { name: `Contact ${randomUUID().slice(0, 6)}`, duplicateAction: 'create', ...fields });
    if (res.status !== 303) throw new Error(`create contact failed with ${res.status}: ${res.text.slice(0, 500)}`);
    return idFromLocation(res.headers.location);
  }

  /** Saves the contact form with every field (as the edit page sends it). */
  async editContact(id: string, fields: FormFields) {
    const view = await contactViewFromDb(this.t, id);
    const res = await this.post(`/contacts/${id}`, {
      name: view!.name,
      email: view!.email ?? '',
      githubUsername: view!.githubUsername ?? '',
      company: view!.company ?? '',
      notes: view!.notes ?? '',
      keepInTouchDays: view!.keepInTouchDays === null ? '' : String(view!.keepInTouchDays),
      isVip: view!.isVip ? ['false', 'true'] : 'false',
      ...fields,
    });
    if (res.status !== 303) throw new Error(`edit contact failed with ${res.status}: ${res.text.slice(0, 500)}`);
  }

  async logInteraction(contactId: string, fields: FormFields = {}): Promise<string> {
    const before = await interactionIds(this.t, contactId);
    const res = await this.post(`/contacts/${contactId}/interactions`, { type: 'meeting', summary: 'Talked', ...fields });
    if (res.status !== 303) throw new Error(`log interaction failed with ${res.status}: ${res.text.slice(0, 500)}`);
    const after = await interactionIds(this.t, contactId);
    return after.find((id) => !before.includes(id))!;
  }

  async addFollowUp(contactId: string, fields: FormFields): Promise<string> {
    const before = await followUpIds(this.t, contactId);
    const res = await this.post(`/contacts/${contactId}/follow-ups`, fields);
    if (res.status !== 303) throw new Error(`add follow-up failed with ${res.status}: ${res.text.slice(0, 500)}`);
    const after = await followUpIds(this.t, contactId);
    return after.find((id) => !before.includes(id))!;
  }

  async addTag(contactId: string, tag: string) {
    const res = await this.post(`/contacts/${contactId}/tags`, { tag });
    if (res.status !== 303) throw new Error(`add tag failed with ${res.status}`);
  }
}

export function idFromLocation(location: string): string {
  const m = /^\/contacts\/([0-9a-f-]{36})$/.exec(location);
  if (!m) throw new Error(`not a contact location: ${location}`);
  return m[1];
}

/** `$1` on PostgreSQL, `?` on SQLite. */
export function param(t: TestApp, n = 1): string {
  return t.dataSource.options.type === 'postgres' ? `$${n}` : '?';
}

export async function sql<T = Record<string, unknown>>(t: TestApp, query: string, params: unknown[] = []): Promise<T[]> {
  let i = 0;
  const q = t.dataSource.options.type === 'postgres' ? query.replace(/\?/g, () => `$${++i}`) : query;
  return t.dataSource.query(q, params);
}

async function interactionIds(t: TestApp, contactId: string): Promise<string[]> {
  return (await t.dataSource.getRepository(Interaction).find({ where: { contactId }, select: { id: true } })).map((r) => r.id);
}

async function followUpIds(t: TestApp, contactId: string): Promise<string[]> {
  return (await t.dataSource.getRepository(FollowUp).find({ where: { contactId }, select: { id: true } })).map((r) => r.id);
}

/** The contact as the API would show it, read straight from the database. */
export async function contactViewFromDb(t: TestApp, id: string): Promise<ContactView | null> {
  const c = await t.dataSource.getRepository(Contact).findOne({ where: { id } });
  if (!c) return null;
  const tags = await sql<{ id: string; name: string }>(
    t,
    `SELECT t.id AS id, t.name AS name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ? ORDER BY t.name_key`,
    [id],
  );
  return toContactView(c, tags.map((r) => ({ id: r.id, name: r.name })));
}

export async function interactionViewFromDb(t: TestApp, id: string) {
  const row = await t.dataSource.getRepository(Interaction).findOne({ where: { id } });
  return row ? toInteractionView(row) : null;
}

export async function followUpViewFromDb(t: TestApp, id: string) {
  const row = await t.dataSource.getRepository(FollowUp).findOne({ where: { id } });
  return row ? toFollowUpView(row) : null;
}

export async function followUpsOf(t: TestApp, contactId: string) {
  return t.dataSource.getRepository(FollowUp).find({ where: { contactId }, order: { dueAt: 'ASC' } });
}

export interface OutboxRow {
  id: string;
  type: string;
  payload: unknown;
}

/** The user's outbox events in the order they were written. */
export async function outboxOf(t: TestApp, userId: string): Promise<OutboxRow[]> {
  const rows = await sql<{ id: string; type: string; payload: string; created_at: unknown }>(
    t,
    `SELECT id, type, payload, created_at FROM outbox_events WHERE user_id = ?`,
    [userId],
  );
  return rows.map((r) => ({ id: r.id, type: r.type, payload: JSON.parse(r.payload) }));
}

const CRM_TABLES = ['contacts', 'interactions', 'follow_ups', 'tags', 'contact_tags', 'outbox_events'] as const;

/** Every row of the CRM tables, sorted, as plain JSON (for "nothing changed" checks). */
export async function snapshotCrm(t: TestApp): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of CRM_TABLES) {
    const rows: Array<Record<string, unknown>> = await t.dataSource.query(`SELECT * FROM ${table}`);
    out[table] = rows
      .map((r) => JSON.parse(JSON.stringify(r, (_k, v) => (v instanceof Date ? v.toISOString() : v))))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

/** The HTML of one `<section class="… fu-KEY">` of the follow-ups page. */
export function followUpSection(html: string, key: string): string {
  const start = html.indexOf(`fu-section fu-${key}"`);
  if (start < 0) return '';
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** The names in the contact list table, in order. */
export function listedNames(html: string): string[] {
  // a search highlights matched words with <mark>: the name is the text without them
  return [...html.matchAll(/<a class="contact-link" href="\/contacts\/[^"]+"><span class="avatar avatar-sm" aria-hidden="true">[^<]*<\/span><span>((?:[^<]|<\/?mark>)*)<\/span><\/a>/g)].map((m) => m[1].replace(/<\/?mark>/g, ''));
}

