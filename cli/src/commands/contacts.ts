import { confirm } from '@inquirer/prompts';
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { collect, nonNegativeInt, positiveInt, relative } from '../format.js';
import type { Schemas } from '../generated/api.js';
import { c, details, isInteractive, line, printJson, success, table } from '../output.js';
import { describeContact, resolveContact, type Contact } from '../resolve.js';
import { action } from './action.js';

type ContactInput = Schemas['ContactInputDto'];

interface FieldOptions {
  name?: string;
  email?: string;
  github?: string;
  company?: string;
  title?: string;
  phone?: string;
  location?: string;
  twitter?: string;
  linkedin?: string;
  website?: string;
  notes?: string;
  vip?: boolean;
  keepInTouch?: number;
  tag?: string[];
}

function fieldOptions(cmd: Command, editing: boolean): Command {
  if (editing) cmd.option('--name <name>', 'new name');
  return cmd
    .option('--email <email>', 'e-mail address')
    .option('--github <login>', 'GitHub login (or profile URL)')
    .option('--company <company>', 'company')
    .option('--title <title>', 'job title')
    .option('--phone <phone>', 'phone number')
    .option('--location <place>', 'city or region')
    .option('--twitter <handle>', 'X/Twitter handle')
    .option('--linkedin <url>', 'LinkedIn URL or name')
    .option('--website <url>', 'website (http:// or https://)')
    .option('--notes <text>', 'private notes')
    .option('--vip', 'mark as VIP')
    .addOption(new Option('--no-vip', 'remove the VIP mark').hideHelp(!editing))
    .option('--keep-in-touch <days>', 'remind me after this many days without contact', positiveInt(365))
    .option('--tag <tag>', 'add a tag (repeat for several)', collect);
}

/** Only what was given: on edit an option left out keeps its value; "" clears a field. */
function toInput(o: FieldOptions): Partial<ContactInput> {
  const out: Partial<ContactInput> = {};
  const text = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);
  if (o.name !== undefined) out.name = o.name;
  const map: Array<[keyof FieldOptions, keyof ContactInput]> = [
    ['email', 'email'],
    ['github', 'githubUsername'],
    ['company', 'company'],
    ['title', 'title'],
    ['phone', 'phone'],
    ['location', 'location'],
    ['twitter', 'twitter'],
    ['linkedin', 'linkedin'],
    ['website', 'website'],
    ['notes', 'notes'],
  ];
  for (const [from, to] of map) {
    const v = text(o[from] as string | undefined);
    if (v !== undefined) (out as Record<string, unknown>)[to] = v;
  }
  if (o.vip !== undefined) out.isVip = o.vip;
  if (o.keepInTouch !== undefined) out.keepInTouchDays = o.keepInTouch;
  return out;
}

export function registerContacts(program: Command) {
  const contacts = program.command('contacts').description('list, show, add, edit and remove contacts');

  contacts
    .command('ls')
    .description('list contacts, most recently contacted first')
    .option('--q <text>', 'search names, companies, e-mails, GitHub logins, notes and tags')
    .option('--tag <tag>', 'only contacts with this tag (repeat to require several)', collect)
    .option('--limit <n>', 'how many (1–100)', positiveInt(100), 20)
    .option('--offset <n>', 'skip this many', nonNegativeInt, 0)
    .action(action(list));

  contacts.command('show').argument('<who>', 'name, e-mail, GitHub login or id').description('show a contact and the latest interactions').action(action(show));

  fieldOptions(contacts.command('add').argument('<name>', 'full name').description('add a contact'), false).action(action(add));

  fieldOptions(contacts.command('edit').argument('<who>', 'name, e-mail, GitHub login or id').description('change a contact’s fields (an empty value clears one)'), true).action(action(edit));

  contacts
    .command('rm')
    .argument('<who>', 'name, e-mail, GitHub login or id')
    .description('delete a contact with its interactions and follow-ups (asks first)')
    .option('-y, --yes', 'do not ask (required when not on a terminal)')
    .action(action(remove));
}

async function list(ctx: Context, _: [], o: { q?: string; tag?: string[]; limit: number; offset: number }) {
  const page = await ctx.api.call('get', '/api/contacts', { query: { q: o.q, tag: o.tag, limit: o.limit, offset: o.offset } });
  if (ctx.json) return printJson(page);
  if (!page.data.length) return line(o.q || o.tag ? 'No contacts match.' : 'No contacts yet. Add one: devhub contacts add "Ada Lovelace" --github ada');
  line(
    table(page.data, [
      { header: 'NAME', value: (x) => (x.isVip ? `${x.name} ★` : x.name), flex: true, style: c.bold },
      { header: 'COMPANY', value: (x) => x.company ?? '', flex: true },
      { header: 'E-MAIL', value: (x) => x.email ?? '', flex: true },
      { header: 'GITHUB', value: (x) => x.githubUsername ?? '', flex: true },
      { header: 'TAGS', value: (x) => x.tags.map((t) => t.name).join(', '), flex: true, style: c.cyan },
      { header: 'LAST CONTACT', value: (x) => relative(x.lastInteractionAt) || '—' },
    ]),
  );
  if (page.total > page.data.length) line(c.dim(`\n${page.offset + 1}–${page.offset + page.data.length} of ${page.total}. More: --offset ${page.offset + page.data.length}`));
}

async function show(ctx: Context, [who]: [string]) {
  const contact = await resolveContact(ctx, who);
  if (ctx.json) return printJson(contact);
  const interactions = await ctx.api.call('get', '/api/contacts/{id}/interactions', { path: { id: contact.id }, query: { limit: 5 } });
  line(c.bold(contact.name) + (contact.isVip ? c.yellow(' ★ VIP') : ''));
  line(
    details([
      ['E-mail', contact.email],
      ['GitHub', contact.githubUsername],
      ['Company', [contact.title, contact.company].filter(Boolean).join(' at ')],
      ['Phone', contact.phone],
      ['Location', contact.location],
      ['X/Twitter', contact.twitter],
      ['LinkedIn', contact.linkedin],
      ['Website', contact.website],
      ['Tags', contact.tags.map((t) => t.name).join(', ')],
      ['Keep in touch', contact.keepInTouchDays ? `every ${contact.keepInTouchDays} days` : null],
      ['Last contact', contact.lastInteractionAt ? relative(contact.lastInteractionAt) : 'never'],
      ['Notes', contact.notes],
      ['Id', c.dim(contact.id)],
    ]),
  );
  if (interactions.data.length) {
    line(`\n${c.bold('Latest interactions')}`);
    line(table(interactions.data, [{ header: 'WHEN', value: (i) => relative(i.occurredAt) }, { header: 'TYPE', value: (i) => i.type }, { header: 'SUMMARY', value: (i) => i.summary, flex: true }]));
  }
}

async function addTags(ctx: Context, contact: Contact, tags: string[] = []): Promise<Contact> {
  let current = contact;
  for (const tag of tags) current = await ctx.api.call('post', '/api/contacts/{id}/tags', { path: { id: contact.id }, body: { tag } });
  return current;
}

async function add(ctx: Context, [name]: [string], o: FieldOptions) {
  const created = await ctx.api.call('post', '/api/contacts', { body: { ...toInput(o), name } });
  const contact = await addTags(ctx, created, o.tag);
  if (ctx.json) return printJson(contact);
  success(`Added ${describeContact(contact)}.`);
}

async function edit(ctx: Context, [who]: [string], o: FieldOptions) {
  const changes = toInput(o);
  if (!Object.keys(changes).length && !o.tag?.length) throw new UsageError('Nothing to change: pass at least one option, e.g. --company "Analytical Engines".');
  const contact = await resolveContact(ctx, who);
  const updated = Object.keys(changes).length ? await ctx.api.call('patch', '/api/contacts/{id}', { path: { id: contact.id }, body: changes }) : contact;
  const tagged = await addTags(ctx, updated, o.tag);
  if (ctx.json) return printJson(tagged);
  success(`Updated ${describeContact(tagged)}.`);
}

async function remove(ctx: Context, [who]: [string], o: { yes?: boolean }) {
  if (!o.yes && (!isInteractive() || ctx.json)) throw new UsageError('Deleting needs confirmation: add --yes (no terminal to ask on).');
  const contact = await resolveContact(ctx, who);
  if (!o.yes) {
    const sure = await confirm({ message: `Delete ${describeContact(contact)} with all interactions and follow-ups?`, default: false });
    if (!sure) return line('Kept.');
  }
  await ctx.api.call('delete', '/api/contacts/{id}', { path: { id: contact.id } });
  if (ctx.json) return printJson({ deleted: true, id: contact.id });
  success(`Deleted ${contact.name}.`);
}
