import type { ContactDetail } from '../contacts/contact-signals.service';
import type { Candidate } from './ranker';

/**
 * The prompt is built from an allowlist, field by field: a display name (first name only), company,
 * title, tags, insight titles, the kinds of signals, days since the last conversation and the last
 * interaction's summary cut short. Contacts are named by a per-prompt alias (C1, C2…), never by id.
 * Every free-text value goes through `scrub()`, which drops e-mail addresses, phone numbers, URLs
 * and token-like strings, so a summary that happens to hold one cannot carry it out.
 * docs/digest.md shows an example; keep the two in step.
 */

export const SUMMARY_MAX = 140;
const FIELD_MAX = 80;
const TAGS_MAX = 5;
const TAG_MAX = 30;
const INSIGHT_TITLE_MAX = 120;
export const REASON_MAX = 240;
export const DRAFT_MAX = 600;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const PHONE = /\+?\d[\d ()./-]{6,}\d/g;
const TOKEN = /\b(?:dh_|ghp_|gho_|ghu_|ghs_|github_pat_|whsec_|sk-)[A-Za-z0-9_+/=-]{4,}|\b[A-Za-z0-9_+/=-]{32,}\b/g;
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** Removes what must never reach a model from a free-text value, then cuts it to `max` characters. */
export function scrub(value: string | null | undefined, max: number): string {
  if (!value) return '';
  const clean = value
    .replace(CONTROL, ' ')
    .replace(EMAIL, '[email]')
    .replace(URL, '[link]')
    .replace(TOKEN, '[token]')
    .replace(PHONE, '[number]')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1).trimEnd()}…` : clean;
}

const firstName = (name: string) => scrub(name.trim().split(/\s+/)[0] || name, 40);

/** One candidate as the model sees it. */
export interface PromptContact {
  alias: string;
  name: string;
  company: string;
  title: string;
  vip: boolean;
  tags: string[];
  signals: string[];
  daysSinceLastConversation: number | null;
  lastConversation: string;
  githubNews: string[];
}

export interface DigestPrompt {
  system: string;
  user: string;
  /** alias → contact id; stays on the server */
  aliases: Map<string, string>;
  contacts: PromptContact[];
}

export const ANSWER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['priorities'],
  properties: {
    priorities: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['contact', 'reason', 'draft'],
        properties: {
          contact: { type: 'string', description: 'the alias, e.g. C1' },
          reason: { type: 'string', description: `why today, one sentence, at most ${REASON_MAX} characters` },
          draft: { type: 'string', description: `a short opening message, at most ${DRAFT_MAX} characters` },
        },
      },
    },
  },
} as const;

const SYSTEM = [
  'You help a software developer keep in touch with the people they know.',
  'You get a list of contacts the user could reach out to today, each with an alias (C1, C2, ...).',
  'Rank them by who is most worth reaching out to today, best first, and for each write a one-sentence reason and a short, friendly opening message the user can send.',
  'Refer to contacts only by their alias in the "contact" field. Do not invent facts that are not in the list.',
  'Answer with JSON only, no prose, in this shape: {"priorities":[{"contact":"C1","reason":"...","draft":"..."}]}',
].join('\n');

export function buildDigestPrompt(candidates: Candidate[], details: Map<string, ContactDetail>, localDay: string): DigestPrompt {
  const aliases = new Map<string, string>();
  const contacts: PromptContact[] = candidates.map((c, i) => {
    const alias = `C${i + 1}`;
    aliases.set(alias, c.contactId);
    const d = details.get(c.contactId);
    return {
      alias,
      name: firstName(c.contactName),
      company: scrub(c.company, FIELD_MAX),
      title: scrub(c.title, FIELD_MAX),
      vip: c.isVip,
      tags: (d?.tags ?? []).slice(0, TAGS_MAX).map((t) => scrub(t, TAG_MAX)),
      signals: c.parts.map((p) => scrub(p.label, FIELD_MAX)),
      daysSinceLastConversation: c.daysSinceContact,
      lastConversation: d?.lastInteraction ? scrub(`${d.lastInteraction.type}: ${d.lastInteraction.summary}`, SUMMARY_MAX) : '',
      githubNews: c.insights.map((i) => scrub(i.title, INSIGHT_TITLE_MAX)),
    };
  });
  // one compact JSON object a line: fewer tokens than pretty-printed JSON, as easy for a model to read
  const user = `Today is ${localDay}. Contacts, one JSON object per line:\n${contacts.map((c) => JSON.stringify(c)).join('\n')}`;
  return { system: SYSTEM, user, aliases, contacts };
}

export interface ModelPriority {
  contactId: string;
  reason: string;
  draft: string;
}

export type AnswerProblem = 'malformed' | 'unknown_contact';

export class DigestAnswerError extends Error {
  constructor(
    readonly problem: AnswerProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Parses and checks the model's answer against the schema and the prompt's aliases. */
export function parseDigestAnswer(text: string, aliases: Map<string, string>): ModelPriority[] {
  let body: unknown;
  const trimmed = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try {
    body = JSON.parse(trimmed);
  } catch {
    throw new DigestAnswerError('malformed', 'not JSON');
  }
  const list = (body as { priorities?: unknown })?.priorities;
  if (!body || typeof body !== 'object' || !Array.isArray(list) || list.length === 0) throw new DigestAnswerError('malformed', 'no priorities list');
  const seen = new Set<string>();
  const out: ModelPriority[] = [];
  for (const item of list.slice(0, aliases.size)) {
    const { contact, reason, draft } = (item ?? {}) as Record<string, unknown>;
    if (typeof contact !== 'string' || typeof reason !== 'string' || typeof draft !== 'string' || !reason.trim()) {
      throw new DigestAnswerError('malformed', 'a priority lacks contact, reason or draft');
    }
    const id = aliases.get(contact.trim());
    if (!id) throw new DigestAnswerError('unknown_contact', 'names a contact that was not in the list');
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ contactId: id, reason: reason.trim().slice(0, REASON_MAX), draft: draft.trim().slice(0, DRAFT_MAX) });
  }
  return out;
}

/** A simple estimate (about four characters a token) for servers that report no usage. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
