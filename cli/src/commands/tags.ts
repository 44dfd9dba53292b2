import type { Command } from 'commander';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { positiveInt } from '../format.js';
import { c, line, printJson, success, table } from '../output.js';
import { resolveContact } from '../resolve.js';
import { action } from './action.js';

export function registerTags(program: Command) {
  const tags = program.command('tags').description('list tags, tag and untag contacts');
  tags.command('ls').description('every tag with its number of contacts').option('--limit <n>', 'how many (1–100)', positiveInt(100), 100).action(action(list));
  tags.command('add').description('tag a contact (new tags are created)').argument('<who>', 'name, e-mail, GitHub login or id').argument('<tags...>', 'one or more tags').action(action(add));
  tags.command('rm').description('remove a tag from a contact').argument('<who>', 'name, e-mail, GitHub login or id').argument('<tag>', 'the tag').action(action(remove));
}

async function list(ctx: Context, _: [], o: { limit: number }) {
  const page = await ctx.api.call('get', '/api/tags', { query: { limit: o.limit } });
  if (ctx.json) return printJson(page);
  if (!page.data.length) return line('No tags yet. Tag someone: devhub tags add ada rust');
  line(table(page.data, [{ header: 'TAG', value: (t) => t.name, flex: true, style: c.cyan }, { header: 'CONTACTS', value: (t) => String(t.contactCount) }]));
}

async function add(ctx: Context, [who, names]: [string, string[]]) {
  const contact = await resolveContact(ctx, who);
  let updated = contact;
  for (const tag of names) updated = await ctx.api.call('post', '/api/contacts/{id}/tags', { path: { id: contact.id }, body: { tag } });
  if (ctx.json) return printJson(updated);
  success(`${contact.name}: ${updated.tags.map((t) => t.name).join(', ')}`);
}

async function remove(ctx: Context, [who, name]: [string, string]) {
  const contact = await resolveContact(ctx, who);
  const tag = contact.tags.find((t) => t.name.toLowerCase() === name.trim().toLowerCase());
  if (!tag) throw new CliError(`${contact.name} has no tag “${name}”${contact.tags.length ? ` (tags: ${contact.tags.map((t) => t.name).join(', ')})` : ''}.`);
  await ctx.api.call('delete', '/api/contacts/{id}/tags/{tagId}', { path: { id: contact.id, tagId: tag.id } });
  const updated = await ctx.api.call('get', '/api/contacts/{id}', { path: { id: contact.id } });
  if (ctx.json) return printJson(updated);
  success(`Removed “${tag.name}” from ${contact.name}.`);
}
