import { Argument, Command } from 'commander';
import type { Context } from '../context.js';
import { parseWhen } from '../dates.js';
import { formatTime } from '../format.js';
import { printJson, success } from '../output.js';
import { resolveContact } from '../resolve.js';
import { action } from './action.js';

export const INTERACTION_TYPES = ['meeting', 'call', 'email', 'message', 'event', 'other'] as const;
type InteractionType = (typeof INTERACTION_TYPES)[number];

export function registerLog(program: Command) {
  program
    .command('log')
    .description('log an interaction with a contact')
    .argument('<who>', 'name, e-mail, GitHub login or id')
    .addArgument(new Argument('<type>', 'what it was').choices(INTERACTION_TYPES))
    .argument('<summary>', 'what you talked about')
    .option('--at <when>', 'when it happened: "yesterday", "2 days ago", "monday 14:00", an ISO time (default: now)')
    .addHelpText('after', '\nExample:\n  devhub log ada meeting "coffee, talked about engines" --at yesterday')
    .action(action(log));
}

async function log(ctx: Context, [who, type, summary]: [string, InteractionType, string], o: { at?: string }) {
  const timeZone = o.at ? await ctx.timeZone() : 'UTC';
  const occurredAt = o.at ? parseWhen(o.at, timeZone).iso : undefined;
  const contact = await resolveContact(ctx, who);
  const interaction = await ctx.api.call('post', '/api/contacts/{id}/interactions', { path: { id: contact.id }, body: { type, summary, ...(occurredAt ? { occurredAt } : {}) } });
  if (ctx.json) return printJson(interaction);
  success(`Logged a ${interaction.type} with ${contact.name}${o.at ? ` on ${formatTime(interaction.occurredAt, timeZone)}` : ''}.`);
}
