import type { Command } from 'commander';
import type { Context } from '../context.js';
import { parseWhen } from '../dates.js';
import { CliError } from '../errors.js';
import { formatTime, positiveInt, relative } from '../format.js';
import { c, line, printJson, success, table } from '../output.js';
import { contactNames, resolveContact } from '../resolve.js';
import { action } from './action.js';


export function registerFollowUps(program: Command) {
  const f = program
    .command('followups')
    .description('follow-ups: what is due, add one, mark done, snooze')
    .addHelpText('after', '\nDates: tomorrow, friday, "next mon 10:00", "in 2 weeks", 2026-03-01 (09:00 in your account’s time zone unless a time is given).');

  f.command('due')
    .description('open follow-ups due by now, oldest first')
    .option('--all', 'every open follow-up, due or not')
    .option('--limit <n>', 'how many (1–100)', positiveInt(100), 20)
    .action(action(due));

  f.command('add')
    .description('remind me to follow up with someone')
    .argument('<who>', 'name, e-mail, GitHub login or id')
    .argument('<when>', 'tomorrow, friday, "in 2 weeks", 2026-03-01…')
    .argument('[note]', 'what to follow up about')
    .action(action(add));

  f.command('done').description('mark a follow-up done').argument('<id>', 'the follow-up’s id (from `followups due`)').action(action(done));

  f.command('snooze').description('move a follow-up to a later date').argument('<id>', 'the follow-up’s id').argument('<when>', 'the new date').action(action(snooze));
}

async function due(ctx: Context, _: [], o: { all?: boolean; limit: number }) {
  const page = await ctx.api.call('get', '/api/follow-ups', { query: { status: o.all ? 'open' : 'due', limit: o.limit } });
  if (ctx.json) return printJson(page);
  if (!page.data.length) return line(o.all ? 'No open follow-ups.' : 'Nothing due. 🎉');
  const [names, timeZone] = await Promise.all([contactNames(ctx, page.data), ctx.timeZone()]);
  const now = Date.now();
  line(
    table(page.data, [
      { header: 'ID', value: (x) => x.id },
      { header: 'WHO', value: (x) => names.get(x.contactId) ?? '', flex: true, style: c.bold },
      { header: 'DUE', value: (x) => `${formatTime(x.dueAt, timeZone)} (${relative(x.dueAt, now)})`, style: c.yellow },
      { header: 'NOTE', value: (x) => x.note, flex: true },
    ]),
  );
  if (page.total > page.data.length) line(c.dim(`\n${page.data.length} of ${page.total}; --limit 100 shows more.`));
}

/** A day alone goes to the API as a date (09:00 in the account's zone there too); a time as an instant. */
async function dueAt(ctx: Context, when: string): Promise<{ dueAt: string; timeZone: string }> {
  const timeZone = await ctx.timeZone();
  return { dueAt: parseWhen(when, timeZone).iso, timeZone };
}

async function add(ctx: Context, [who, when, note]: [string, string, string | undefined]) {
  const { dueAt: at, timeZone } = await dueAt(ctx, when);
  const contact = await resolveContact(ctx, who);
  const created = await ctx.api.call('post', '/api/follow-ups', { body: { contactId: contact.id, dueAt: at, ...(note ? { note } : {}) } });
  if (ctx.json) return printJson(created);
  success(`Follow up with ${contact.name} on ${formatTime(created.dueAt, timeZone)}${note ? `: ${note}` : ''}.`);
  line(c.dim(`id ${created.id}`));
}

const checkId = (id: string) => {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`Not a follow-up id: ${id}. \`devhub followups due\` lists them.`);
};

async function done(ctx: Context, [id]: [string]) {
  checkId(id);
  const updated = await ctx.api.call('patch', '/api/follow-ups/{id}', { path: { id }, body: { status: 'done' } });
  if (ctx.json) return printJson(updated);
  success('Done.');
}

async function snooze(ctx: Context, [id, when]: [string, string]) {
  checkId(id);
  const { dueAt: at, timeZone } = await dueAt(ctx, when);
  const updated = await ctx.api.call('patch', '/api/follow-ups/{id}', { path: { id }, body: { dueAt: at } });
  if (ctx.json) return printJson(updated);
  success(`Snoozed to ${formatTime(updated.dueAt, timeZone)}.`);
}
