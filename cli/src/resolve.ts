import { select } from '@inquirer/prompts';
import type { Context } from './context.js';
import { CliError } from './errors.js';
import type { Schemas } from './generated/api.js';
import { isInteractive } from './output.js';

export type Contact = Schemas['ContactResponseDto'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function describeContact(c: Contact): string {
  const extra = [c.email, c.githubUsername ? `github:${c.githubUsername}` : null, c.company].filter(Boolean).join(', ');
  return extra ? `${c.name} (${extra})` : c.name;
}

/**
 * `<who>`: an id, a name, an e-mail or a GitHub login, found through the API's search. An exact
 * match on one of those wins; several candidates are a choice on a terminal and an error listing
 * them otherwise.
 */
export async function resolveContact(ctx: Context, who: string): Promise<Contact> {
  const wanted = who.trim();
  if (UUID.test(wanted)) return ctx.api.call('get', '/api/contacts/{id}', { path: { id: wanted } });
  const handle = wanted.replace(/^@/, '').toLowerCase();
  const found = await ctx.api.call('get', '/api/contacts', { query: { q: handle, limit: 50 } });
  const exact = found.data.filter(
    (c) => c.name.toLowerCase() === wanted.toLowerCase() || c.email?.toLowerCase() === handle || c.githubUsername?.toLowerCase() === handle,
  );
  const candidates = exact.length ? exact : found.data;
  if (candidates.length === 1) return candidates[0];
  if (!candidates.length) throw new CliError(`No contact matches “${wanted}”. Try \`devhub contacts ls --q ${JSON.stringify(wanted)}\`.`);
  if (isInteractive() && !ctx.json) {
    return select({
      message: `Several contacts match “${wanted}”. Which one?`,
      choices: candidates.map((c) => ({ name: describeContact(c), value: c })),
    });
  }
  const more = found.total > found.data.length && !exact.length ? `\n  … and ${found.total - found.data.length} more` : '';
  throw new CliError(
    `“${wanted}” matches ${exact.length ? candidates.length : found.total} contacts; say which one with its e-mail, GitHub login or id:\n` +
      candidates.map((c) => `  ${c.id}  ${describeContact(c)}`).join('\n') +
      more,
  );
}

/** Names for the contact ids a list refers to (follow-ups, insights carry only the id). */
export async function contactNames(ctx: Context, items: Array<{ contactId: string }>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(items.map((i) => i.contactId))) {
    try {
      names.set(id, (await ctx.api.call('get', '/api/contacts/{id}', { path: { id } })).name);
    } catch (err) {
      if (!(err instanceof CliError && (err as { status?: number }).status === 404)) throw err;
    }
  }
  return names;
}
