import { collapseSpaces, TAG_MAX } from '../tags/tags.service';

/**
 * One contact as read from a file, before validation: every format (Google, LinkedIn, DevHub CSV,
 * vCard) is mapped to this, and one function turns it into the contract's contact fields.
 */
export interface ImportRecord {
  line: number;
  /** a DevHub contact id (DevHub CSV "id", vCard "UID:urn:uuid:…"): re-imports find their contact */
  id?: string;
  name?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  nickname?: string;
  emails: string[];
  phones: string[];
  /** websites and profile URLs; GitHub, X and LinkedIn URLs are recognised */
  urls: string[];
  company?: string;
  title?: string;
  location?: string;
  city?: string;
  region?: string;
  country?: string;
  githubUsername?: string;
  twitter?: string;
  linkedin?: string;
  website?: string;
  notes: string[];
  tags: string[];
  isVip?: string | boolean;
  keepInTouchDays?: string;
  /** set when the row itself is broken (wrong number of fields, card without END …) */
  error?: string;
}

export const emptyRecord = (line: number): ImportRecord => ({ line, emails: [], phones: [], urls: [], notes: [], tags: [] });

/** The fields ContactInputDto validates, as strings (and isVip); absent fields stay undefined. */
export interface ContactPlain {
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  title?: string;
  location?: string;
  githubUsername?: string;
  twitter?: string;
  linkedin?: string;
  website?: string;
  notes?: string;
  isVip?: string | boolean;
  keepInTouchDays?: string;
}

const clean = (s: string | undefined | null): string => (s ?? '').replace(/\s+/g, ' ').trim();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function normalizeId(raw: string | undefined): string | undefined {
  const v = (raw ?? '').trim().replace(/^urn:uuid:/i, '').toLowerCase();
  return UUID.test(v) ? v : undefined;
}

type UrlKind = { kind: 'github' | 'twitter' | 'linkedin' | 'website'; value: string };

const GITHUB_RESERVED = new Set(['orgs', 'about', 'features', 'pricing', 'topics', 'sponsors', 'settings', 'login', 'marketplace', 'explore']);

/** Sorts a URL into GitHub username, X handle, LinkedIn URL or plain website. */
export function classifyUrl(raw: string): UrlKind | null {
  let v = raw.trim().replace(/^<|>$/g, '');
  if (!v) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(v)) {
    if (!/^[\w-]+(\.[\w-]+)+(\/|$)/.test(v)) return null;
    v = `https://${v}`;
  }
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname.toLowerCase().replace(/^(www|mobile|m)\./, '');
  const segments = url.pathname.split('/').filter(Boolean);
  if (host === 'github.com' && segments.length === 1 && !GITHUB_RESERVED.has(segments[0]!.toLowerCase())) {
    return { kind: 'github', value: segments[0]! };
  }
  if ((host === 'x.com' || host === 'twitter.com') && segments.length === 1 && /^[A-Za-z0-9_]{1,50}$/.test(segments[0]!)) {
    return { kind: 'twitter', value: segments[0]! };
  }
  if (host === 'linkedin.com' || host.endsWith('.linkedin.com')) return { kind: 'linkedin', value: url.toString().replace(/\/$/, '') };
  return { kind: 'website', value: v };
}

/** "(555) 010-2030" → "555 010-2030": the contact form wants a leading digit or "+". */
export function normalizePhone(raw: string): string {
  let v = clean(raw).replace(/^tel:/i, '');
  const paren = /^\((\d{1,6})\)\s*(.*)$/.exec(v);
  if (paren) v = `${paren[1]} ${paren[2]}`.trim();
  return v;
}

/** "ada.lovelace+crm@example.com" → "Ada Lovelace". */
export function nameFromEmail(email: string): string {
  const local = email.split('@')[0]!.split('+')[0]!;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** Normalises tag names like TagsService does; too-long names are cut, empty ones dropped, case-duplicates merged. */
export function cleanTags(names: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of names) {
    // spaced as a tag name is when saved: a cell of control characters is no tag at all
    const name = collapseSpaces(raw).slice(0, TAG_MAX).trim();
    const key = name.toLowerCase();
    if (!name || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

/**
 * The contract's contact fields from a record: name from the name columns, else first/last
 * name, else the nickname, else derived from the e-mail address; URLs sorted into GitHub / X /
 * LinkedIn / website where those fields are empty. Returns null when there is no name at all.
 */
export function recordToContact(r: ImportRecord): { plain: ContactPlain; tags: string[] } | null {
  const emails = r.emails.map((e) => clean(e).replace(/^mailto:/i, '')).filter(Boolean);
  const fromParts = clean([r.firstName, r.middleName, r.lastName].map(clean).filter(Boolean).join(' '));
  const name = clean(r.name) || fromParts || clean(r.nickname) || (emails[0] ? nameFromEmail(emails[0]) : '');
  if (!name) return null;

  const plain: ContactPlain = { name };
  if (emails[0]) plain.email = emails[0];
  const phone = r.phones.map(normalizePhone).find(Boolean);
  if (phone) plain.phone = phone;
  for (const key of ['company', 'title', 'githubUsername', 'twitter', 'linkedin', 'website'] as const) {
    const v = clean(r[key]);
    if (v) plain[key] = v;
  }
  const location = clean(r.location) || [clean(r.city) || clean(r.region), clean(r.country)].filter(Boolean).join(', ');
  if (location) plain.location = location;

  for (const raw of r.urls) {
    const u = classifyUrl(raw);
    if (!u) continue;
    if (u.kind === 'github' && !plain.githubUsername) plain.githubUsername = u.value;
    else if (u.kind === 'twitter' && !plain.twitter) plain.twitter = u.value;
    else if (u.kind === 'linkedin' && !plain.linkedin) plain.linkedin = u.value;
    else if (u.kind === 'website' && !plain.website) plain.website = u.value;
  }

  const notes = r.notes.map((n) => n.replace(/\r\n?/g, '\n').trim()).filter(Boolean);
  if (notes.length) plain.notes = notes.join('\n\n');
  if (r.isVip !== undefined && r.isVip !== '') plain.isVip = r.isVip;
  if (clean(r.keepInTouchDays)) plain.keepInTouchDays = clean(r.keepInTouchDays);
  return { plain, tags: cleanTags(r.tags) };
}

/** Extra e-mail addresses of a record, also used for finding duplicates. */
export function recordEmails(r: ImportRecord): string[] {
  return [...new Set(r.emails.map((e) => clean(e).replace(/^mailto:/i, '').toLowerCase()).filter(Boolean))];
}
