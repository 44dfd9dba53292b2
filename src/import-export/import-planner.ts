import { yieldToEventLoop } from '../common/event-loop';
import { validateForm } from '../common/forms/validate-form';
import type { ContactEditableValues } from '../contacts/contact-fields';
import { ContactInput, ContactInputDto } from '../contacts/dto/contact-input.dto';
import { ImportRecord, recordEmails, recordToContact } from './import-record';

/** An existing contact as the planner needs it (fields and tag names). */
export interface ExistingContact extends ContactEditableValues {
  id: string;
  tags: Array<{ name: string }>;
}

export type RowAction = 'create' | 'merge' | 'skip';
export type SkipCategory = 'unchanged' | 'no_name' | 'invalid' | 'broken';

export const SKIP_LABELS: Record<SkipCategory, string> = {
  unchanged: 'already in DevHub, nothing new',
  no_name: 'no name and no e-mail address',
  invalid: 'a value DevHub cannot accept',
  broken: 'broken row',
};

export interface PlannedRow {
  line: number;
  action: RowAction;
  reason: string;
  category?: SkipCategory;
  name: string;
  email: string | null;
  company: string | null;
  title: string | null;
  tags: string[];
}

export interface PlannedCreate {
  lines: number[];
  input: ContactInput;
  tags: string[];
}

export interface PlannedMerge {
  contactId: string;
  name: string;
  lines: number[];
  /** only fields that are empty on the contact today (notes: text to append), as ContactsService.mergeInput applies them */
  patch: Partial<ContactInput>;
  /** tags the contact does not have yet */
  tags: string[];
}

export interface ImportPlan {
  rows: PlannedRow[];
  creates: PlannedCreate[];
  merges: PlannedMerge[];
  counts: Record<RowAction, number>;
  skippedBy: Record<SkipCategory, number>;
}

type Field = Exclude<keyof ContactInput, 'name'>;
/** Fields filled when empty; notes and isVip have their own rules. */
const FILLABLE: Field[] = ['email', 'phone', 'company', 'title', 'location', 'githubUsername', 'twitter', 'linkedin', 'website', 'keepInTouchDays'];

export const FIELD_LABELS: Record<keyof ContactInput, string> = {
  name: 'Name',
  email: 'E-mail',
  phone: 'Phone',
  company: 'Company',
  title: 'Title',
  location: 'Location',
  githubUsername: 'GitHub username',
  twitter: 'X / Twitter',
  linkedin: 'LinkedIn',
  website: 'Website',
  notes: 'Notes',
  isVip: 'VIP',
  keepInTouchDays: 'Keep in touch',
};

type State = Partial<Record<keyof ContactInput, unknown>>;

interface Target {
  existingId?: string;
  /** first line of the file that creates it */
  line?: number;
  label: string;
  state: State;
  tagKeys: Set<string>;
  /** tags to add (existing) or to set (new) */
  tags: string[];
  patch: Partial<ContactInput>;
  lines: number[];
  create?: PlannedCreate;
}

const empty = (v: unknown) => v === null || v === undefined || v === '';
const normNotes = (s: unknown) => (typeof s === 'string' ? s.replace(/\r\n?/g, '\n').trim() : '');
const key = (s: string) => s.trim().toLowerCase();
const linkedinKey = (s: unknown) => (typeof s === 'string' ? s.toLowerCase().replace(/^https?:\/\/(www\.|[a-z]{2}\.)?/, '').replace(/\/+$/, '') : '');

function listOf(labels: string[]): string {
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

/** Two records with the same name are still different people when their GitHub or LinkedIn differ. */
function conflicts(a: State, b: State): boolean {
  const gh = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');
  if (gh(a.githubUsername) && gh(b.githubUsername) && gh(a.githubUsername) !== gh(b.githubUsername)) return true;
  if (linkedinKey(a.linkedin) && linkedinKey(b.linkedin) && linkedinKey(a.linkedin) !== linkedinKey(b.linkedin)) return true;
  return false;
}

/**
 * Decides, row by row and without writing, what an import will do.
 *
 * A row matches an existing contact, or a contact an earlier row of the file creates, by DevHub id
 * (DevHub's own exports), else by e-mail (any of the row's addresses) or GitHub username, else by
 * exact name (ignoring case) when that contact has no e-mail and no different GitHub / LinkedIn.
 * A match fills the contact's empty fields, appends new notes, turns VIP on and adds tags
 * ("merge"); when none of that changes anything the row is skipped, which is what makes a
 * second import of the same file a no-op. Rows without a name (nor an e-mail to derive one) or
 * with a value ContactInputDto refuses are skipped with the reason.
 */
/** Rows planned between two turns of the event loop for other requests. */
const PLAN_YIELD_EVERY = 500;

export async function planImport(records: ImportRecord[], existing: Iterable<ExistingContact>): Promise<ImportPlan> {
  const byId = new Map<string, Target>();
  const byEmail = new Map<string, Target>();
  const byGithub = new Map<string, Target>();
  const byName = new Map<string, Target[]>();

  const index = (t: Target, emails: string[] = []) => {
    for (const e of [...emails, t.state.email]) if (typeof e === 'string' && e && !byEmail.has(key(e))) byEmail.set(key(e), t);
    const gh = t.state.githubUsername;
    if (typeof gh === 'string' && gh && !byGithub.has(key(gh))) byGithub.set(key(gh), t);
  };

  for (const c of existing) {
    const t: Target = {
      existingId: c.id,
      label: c.name,
      state: { ...c },
      tagKeys: new Set(c.tags.map((x) => key(x.name))),
      tags: [],
      patch: {},
      lines: [],
    };
    byId.set(c.id, t);
    index(t);
    const list = byName.get(key(c.name)) ?? [];
    list.push(t);
    byName.set(key(c.name), list);
  }

  const plan: ImportPlan = { rows: [], creates: [], merges: [], counts: { create: 0, merge: 0, skip: 0 }, skippedBy: { unchanged: 0, no_name: 0, invalid: 0, broken: 0 } };
  const touched = new Set<Target>();

  const skip = (r: ImportRecord, category: SkipCategory, reason: string, shown: Partial<PlannedRow> = {}) => {
    plan.counts.skip++;
    plan.skippedBy[category]++;
    plan.rows.push({ line: r.line, action: 'skip', category, reason, name: '', email: null, company: null, title: null, tags: [], ...shown });
  };

  for (const [i, record] of records.entries()) {
    // validation is async only in name: without a turn now and then, a big file holds up every request
    if (i % PLAN_YIELD_EVERY === PLAN_YIELD_EVERY - 1) await yieldToEventLoop();
    if (record.error) {
      skip(record, 'broken', `Line ${record.line} ${record.error.replace(/^The vCard/, 'the vCard')}`);
      continue;
    }
    const mapped = recordToContact(record);
    if (!mapped) {
      skip(record, 'no_name', 'No name, and no e-mail address to take one from.');
      continue;
    }
    const { value: input, errors } = await validateForm(ContactInputDto, mapped.plain);
    const shown = {
      name: String(mapped.plain.name ?? ''),
      email: mapped.plain.email ?? null,
      company: mapped.plain.company ?? null,
      title: mapped.plain.title ?? null,
      tags: mapped.tags,
    };
    if (errors) {
      const reason = Object.entries(errors)
        .map(([field, message]) => `${FIELD_LABELS[field as keyof ContactInput] ?? field} "${String((mapped.plain as Record<string, unknown>)[field] ?? '').slice(0, 60)}": ${message}`)
        .join(' ');
      skip(record, 'invalid', reason, shown);
      continue;
    }
    shown.email = input.email ?? null;
    const emails = [...new Set([input.email, ...recordEmails(record)].filter((e): e is string => Boolean(e)).map(key))];

    let match: Target | undefined;
    let how = '';
    if (record.id && byId.has(record.id)) {
      match = byId.get(record.id);
      how = 'same DevHub id';
    }
    if (!match) {
      const e = emails.find((x) => byEmail.has(x));
      if (e) {
        match = byEmail.get(e);
        how = 'same e-mail';
      }
    }
    if (!match && input.githubUsername && byGithub.has(key(input.githubUsername))) {
      match = byGithub.get(key(input.githubUsername));
      how = 'same GitHub username';
    }
    if (!match) {
      match = (byName.get(key(input.name)) ?? []).find((t) => empty(t.state.email) && !conflicts(t.state, input as State));
      if (match) how = 'same name';
    }

    if (!match) {
      const create: PlannedCreate = { lines: [record.line], input, tags: [...mapped.tags] };
      const t: Target = {
        line: record.line,
        label: `line ${record.line}`,
        state: input as State,
        tagKeys: new Set(mapped.tags.map(key)),
        tags: create.tags,
        patch: {},
        lines: [record.line],
        create,
      };
      plan.creates.push(create);
      index(t, emails);
      const list = byName.get(key(input.name)) ?? [];
      list.push(t);
      byName.set(key(input.name), list);
      plan.counts.create++;
      plan.rows.push({ line: record.line, action: 'create', reason: 'New contact.', ...shown });
      continue;
    }

    const changed = absorb(match, input, mapped.tags);
    index(match, emails);
    const who = match.existingId ? `${match.label} (${how})` : `the contact from line ${match.line} (${how})`;
    if (!changed.length) {
      skip(record, 'unchanged', match.existingId ? `Already in DevHub as ${who}; nothing new.` : `Repeats ${who}; nothing new.`, shown);
      continue;
    }
    match.lines.push(record.line);
    match.create?.lines.push(record.line);
    touched.add(match);
    plan.counts.merge++;
    plan.rows.push({ line: record.line, action: 'merge', reason: `Adds ${listOf(changed)} to ${who}.`, ...shown });
  }

  for (const t of touched) {
    if (!t.existingId) continue;
    plan.merges.push({ contactId: t.existingId, name: t.label, lines: t.lines, patch: t.patch, tags: t.tags });
  }
  return plan;
}

/** Folds one row into a target the way ContactsService.mergeInput will; returns what changed. */
function absorb(t: Target, input: ContactInput, tags: string[]): string[] {
  const changed: string[] = [];
  const isNew = !t.existingId;
  for (const f of FILLABLE) {
    const incoming = input[f];
    if (empty(t.state[f]) && !empty(incoming)) {
      t.state[f] = incoming;
      if (!isNew) (t.patch as Record<string, unknown>)[f] = incoming;
      changed.push(FIELD_LABELS[f].toLowerCase());
    }
  }
  const notes = normNotes(input.notes);
  if (notes) {
    const current = normNotes(t.state.notes);
    if (!current || !current.includes(notes)) {
      t.state.notes = current ? `${t.state.notes}\n\n${notes}` : notes;
      if (!isNew) t.patch.notes = t.patch.notes ? `${t.patch.notes}\n\n${notes}` : notes;
      changed.push('notes');
    }
  }
  if (input.isVip === true && !t.state.isVip) {
    t.state.isVip = true;
    if (!isNew) t.patch.isVip = true;
    changed.push('VIP');
  }
  const added = tags.filter((name) => !t.tagKeys.has(key(name)));
  for (const name of added) {
    t.tagKeys.add(key(name));
    t.tags.push(name);
  }
  if (added.length) changed.push(added.length === 1 ? `tag "${added[0]}"` : `tags ${added.map((x) => `"${x}"`).join(', ')}`);
  return changed;
}
