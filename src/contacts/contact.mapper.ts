import { randomUUID } from 'node:crypto';
import type { Contact } from './contact.entity';
import type { ContactEditableValues } from './contact-fields';
import type { ContactInput } from './dto/contact-input.dto';
import type { FollowUp } from './follow-up.entity';
import type { Interaction } from './interaction.entity';

export interface TagRef {
  id: string;
  name: string;
}

/** A contact as the API and the outbox show it (the contract's field list). */
export interface ContactView extends ContactEditableValues {
  id: string;
  lastInteractionAt: string | null;
  /** 0–100 from recent public GitHub events; null until synced */
  activityScore: number | null;
  tags: TagRef[];
  createdAt: string;
  updatedAt: string;
}

export interface InteractionView {
  id: string;
  contactId: string;
  type: Interaction['type'];
  occurredAt: string;
  summary: string;
  url: string | null;
}

export interface FollowUpView {
  id: string;
  contactId: string;
  dueAt: string;
  note: string;
  status: FollowUp['status'];
  completedAt: string | null;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SQLITE_UTC = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

/**
 * ISO 8601 from a Date, or from a time as a raw list row holds it (ContactsRepository.page): ISO text
 * already, or SQLite's UTC text "2026-01-05 15:30:00.000", turned into ISO by string surgery.
 * Parsing and formatting 150 dates was the largest JS cost of a 50-contact API page (bench/api).
 */
function iso(d: Date | string | null | undefined): string | null {
  if (!d) return null;
  if (typeof d === 'string') {
    if (ISO_UTC.test(d)) return d;
    if (SQLITE_UTC.test(d)) return `${d.slice(0, 10)}T${d.slice(11)}Z`;
  }
  return new Date(d).toISOString();
}

/** A contact's fields as toContactView reads them: an entity, or a raw list row (times as the database returns them). */
export type ContactFields = Omit<Contact, 'sortName' | 'searchText' | 'lastInteractionAt' | 'createdAt' | 'updatedAt'> & {
  lastInteractionAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
};

export function toContactView(c: ContactFields, tags: TagRef[] = []): ContactView {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    company: c.company,
    title: c.title,
    location: c.location,
    githubUsername: c.githubUsername,
    twitter: c.twitter,
    linkedin: c.linkedin,
    website: c.website,
    notes: c.notes,
    isVip: Boolean(c.isVip),
    keepInTouchDays: c.keepInTouchDays,
    lastInteractionAt: iso(c.lastInteractionAt),
    activityScore: c.activityScore ?? null,
    tags,
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
  };
}

export function toInteractionView(i: Interaction): InteractionView {
  return { id: i.id, contactId: i.contactId, type: i.type, occurredAt: iso(i.occurredAt)!, summary: i.summary, url: i.url ?? null };
}

export function toFollowUpView(f: FollowUp): FollowUpView {
  return { id: f.id, contactId: f.contactId, dueAt: iso(f.dueAt)!, note: f.note, status: f.status, completedAt: iso(f.completedAt) };
}

/**
 * The row ContactsService.create inserts for a new contact; the contacts bench builds its rows
 * here too and then sets the interaction-dependent dates.
 */
export function newContactRow(userId: string, input: ContactInput, now: Date, tagNames: string[] = []): Contact {
  const row: Contact = {
    id: randomUUID(),
    userId,
    name: input.name,
    sortName: input.name.toLowerCase(),
    email: input.email ?? null,
    phone: input.phone ?? null,
    company: input.company ?? null,
    title: input.title ?? null,
    location: input.location ?? null,
    githubUsername: input.githubUsername ?? null,
    twitter: input.twitter ?? null,
    linkedin: input.linkedin ?? null,
    website: input.website ?? null,
    notes: input.notes ?? null,
    isVip: input.isVip ?? false,
    keepInTouchDays: input.keepInTouchDays ?? null,
    lastInteractionAt: null,
    activityScore: null,
    searchText: '',
    createdAt: now,
    updatedAt: now,
  };
  row.searchText = buildSearchText(row, tagNames);
  return row;
}

/** What search looks at: name, company, title, e-mail, GitHub username, notes and tag names. */
export function buildSearchText(c: Pick<Contact, 'name' | 'company' | 'title' | 'email' | 'githubUsername' | 'notes'>, tagNames: string[]): string {
  // Only words, separated by spaces: SQLite's FTS5 tokenizer and PostgreSQL's parser then split
  // the same way (PostgreSQL would otherwise keep "ada@example.com" or URLs as one token).
  return [c.name, c.company, c.title, c.email, c.githubUsername, c.notes, ...tagNames]
    .filter(Boolean)
    .join(' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .slice(0, 20000);
}

/** Search words → an FTS5 MATCH expression or a PostgreSQL tsquery, each word as a prefix. */
export function searchTerms(q: string): string[] {
  return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
}

/** SQLite returns MAX() of a datetime column as text in UTC without a zone marker. */
export function normalizeDbDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  const v = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value) ? value.replace(' ', 'T') : value;
  return new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`);
}
