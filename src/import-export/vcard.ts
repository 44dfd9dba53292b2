import { escapeText, paramValue, revStamp, uri, writeVCard } from '../common/vcard/vcard-writer';
import type { ContactTextValues } from '../contacts/contact-fields';

/**
 * vCard reading (2.1, 3.0, 4.0) and writing contacts as vCard 4.0 (RFC 6350).
 *
 * Reading: lines are unfolded (CRLF followed by a space or tab), property groups ("item1.EMAIL")
 * and parameters (quoted values, comma lists, 2.1's bare "TEL;WORK:") are understood, and
 * 2.1's QUOTED-PRINTABLE values are decoded. Text values are unescaped only when a caller asks
 * for text, because structured values (N, ADR, ORG) must be split on unescaped ";" first.
 */
export interface VCardProperty {
  group: string | null;
  /** upper-cased */
  name: string;
  /** upper-cased keys; values as written (quotes removed), comma lists split */
  params: Record<string, string[]>;
  /** raw value: still escaped */
  value: string;
  line: number;
}

export interface VCardEntry {
  /** line of BEGIN:VCARD */
  line: number;
  version: string | null;
  props: VCardProperty[];
  /** set when the card is structurally broken (no END:VCARD …) */
  error?: string;
}

export class VCardTooManyError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} vCards`);
  }
}

interface LogicalLine {
  text: string;
  line: number;
}

function logicalLines(input: string): LogicalLine[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const physical = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!;
    const prev = out[out.length - 1];
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && prev) {
      prev.text += raw.slice(1);
      continue;
    }
    out.push({ text: raw, line: i + 1 });
    // vCard 2.1 quoted-printable: a value ending in "=" continues on the next line (soft break)
    const current = out[out.length - 1]!;
    while (/;\s*(ENCODING=)?QUOTED-PRINTABLE[;:]/i.test(current.text.slice(0, current.text.indexOf(':') + 1)) && current.text.endsWith('=') && i + 1 < physical.length) {
      current.text = current.text.slice(0, -1) + physical[++i]!;
    }
  }
  return out;
}

/** Index of the first ":" that is not inside a quoted parameter value. */
function valueStart(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) return i;
  }
  return -1;
}

function splitUnquoted(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let cur = '';
  for (const c of s) {
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function parseProperty(l: LogicalLine): VCardProperty | null {
  const colon = valueStart(l.text);
  if (colon <= 0) return null;
  const head = l.text.slice(0, colon);
  let value = l.text.slice(colon + 1);
  const [nameWithGroup, ...paramParts] = splitUnquoted(head, ';');
  const dot = nameWithGroup!.lastIndexOf('.');
  const group = dot > 0 ? nameWithGroup!.slice(0, dot) : null;
  const name = (dot > 0 ? nameWithGroup!.slice(dot + 1) : nameWithGroup!).trim().toUpperCase();
  if (!name) return null;
  const params: Record<string, string[]> = {};
  for (const part of paramParts) {
    const eq = part.indexOf('=');
    // vCard 2.1 writes bare types: TEL;WORK;VOICE
    const key = (eq < 0 ? 'TYPE' : part.slice(0, eq)).trim().toUpperCase();
    const raw = eq < 0 ? part : part.slice(eq + 1);
    (params[key] ??= []).push(...raw.split(',').map((v) => v.trim()).filter(Boolean));
  }
  if ((params.ENCODING ?? []).some((e) => e.toUpperCase() === 'QUOTED-PRINTABLE')) {
    value = decodeQuotedPrintable(value, params.CHARSET?.[0] ?? 'utf-8');
  }
  return { group, name, params, value, line: l.line };
}

function decodeQuotedPrintable(s: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  try {
    return new TextDecoder(charset).decode(Uint8Array.from(bytes));
  } catch {
    return Buffer.from(bytes).toString('utf8');
  }
}

/**
 * Splits a file into cards. A card without END:VCARD comes back with `error` set, so the
 * caller can report it as a broken row instead of failing the whole file.
 */
export function parseVCards(input: string, maxCards = Infinity): VCardEntry[] {
  const cards: VCardEntry[] = [];
  let current: VCardEntry | null = null;
  for (const l of logicalLines(input)) {
    const t = l.text.trim();
    if (/^BEGIN:VCARD$/i.test(t)) {
      if (current) {
        current.error = `The vCard that starts on line ${current.line} has no END:VCARD before the next card.`;
        cards.push(current);
      }
      if (cards.length >= maxCards) throw new VCardTooManyError(maxCards);
      current = { line: l.line, version: null, props: [] };
      continue;
    }
    if (!current) continue;
    if (/^END:VCARD$/i.test(t)) {
      cards.push(current);
      current = null;
      continue;
    }
    if (!t) continue;
    const prop = parseProperty(l);
    if (!prop) continue;
    if (prop.name === 'VERSION') current.version = prop.value.trim();
    else current.props.push(prop);
  }
  if (current) {
    current.error = `The vCard that starts on line ${current.line} ends without END:VCARD (is the file cut off?).`;
    cards.push(current);
  }
  return cards;
}

/** Unescapes a TEXT value: \n \N \, \; \: \\ (RFC 6350 §3.4; "\:" from some writers). */
export function unescapeText(s: string): string {
  return s.replace(/\\([\\nN,;:])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits on a separator that is not escaped with a backslash, then unescapes each part. */
export function splitEscaped(s: string, sep: ';' | ','): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map(unescapeText);
}

// ---- writing (the vCard 4.0 writer itself is shared: src/common/vcard/vcard-writer.ts) ----

export interface VCardContact extends ContactTextValues {
  id: string;
  tags: Array<{ name: string }>;
  updatedAt: string;
}

export function linkedinUrl(value: string): string {
  return /^https?:\/\//i.test(value) ? value : `https://www.linkedin.com/in/${encodeURIComponent(value.replace(/^\/+|\/+$/g, ''))}`;
}

/** One contact as a vCard 4.0 (CRLF line ends, folded). UID is the contact id, so a re-import finds it. */
export function contactToVCard(c: VCardContact): string {
  const words = c.name.trim().split(/\s+/);
  const family = words.length > 1 ? words[words.length - 1]! : '';
  const given = words.length > 1 ? words.slice(0, -1).join(' ') : words[0] ?? '';
  const lines = [`UID:urn:uuid:${paramValue(c.id)}`];
  lines.push(`FN:${escapeText(c.name)}`);
  lines.push(`N:${escapeText(family)};${escapeText(given)};;;`);
  if (c.email) lines.push(`EMAIL;TYPE=work:${escapeText(c.email)}`);
  if (c.phone) lines.push(`TEL;VALUE=text:${escapeText(c.phone)}`);
  if (c.company) lines.push(`ORG:${escapeText(c.company)}`);
  if (c.title) lines.push(`TITLE:${escapeText(c.title)}`);
  if (c.location) lines.push(`ADR:;;;${escapeText(c.location)};;;`);
  if (c.website) lines.push(`URL:${uri(c.website)}`);
  if (c.githubUsername) lines.push(`X-SOCIALPROFILE;TYPE=github:${uri(`https://github.com/${c.githubUsername}`)}`);
  if (c.twitter) lines.push(`X-SOCIALPROFILE;TYPE=twitter:${uri(`https://x.com/${c.twitter}`)}`);
  if (c.linkedin) lines.push(`X-SOCIALPROFILE;TYPE=linkedin:${uri(linkedinUrl(c.linkedin))}`);
  if (c.notes) lines.push(`NOTE:${escapeText(c.notes)}`);
  if (c.tags.length) lines.push(`CATEGORIES:${c.tags.map((t) => escapeText(t.name)).join(',')}`);
  lines.push(`REV:${revStamp(new Date(c.updatedAt))}`);
  return writeVCard('-//DevHub//Contacts export//EN', lines);
}
