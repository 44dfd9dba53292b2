import type { Command } from 'commander';
import type { Context } from '../context.js';
import { ApiError } from '../client.js';
import { CliError } from '../errors.js';
import { relative } from '../format.js';
import type { Schemas } from '../generated/api.js';
import { c, line, printJson, spinner, success, table } from '../output.js';
import { contactNames, resolveContact } from '../resolve.js';
import { action } from './action.js';

type Digest = Schemas['DigestResponseDto'];
type SyncStatus = Schemas['SyncStatusDto'];

const WAIT_MS = 10 * 60_000;
const POLL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerWork(program: Command) {
  program
    .command('sync')
    .description('sync GitHub activity now: every contact with a GitHub login, or one')
    .argument('[who]', 'only this contact (name, e-mail, GitHub login or id)')
    .option('--wait', 'wait until the sync has finished and show what it did')
    .action(action(sync));

  program
    .command('insights')
    .description('what your contacts did on GitHub lately (new repos, releases, job changes…)')
    .option('--ack <id>', 'mark one insight as seen')
    .option('--ack-all', 'mark every new insight as seen')
    .option('--all', 'include those already seen')
    .action(action(insights));

  program.command('digest').description('today’s digest: who to reach out to, and why').option('--now', 'build a fresh one now and wait for it').action(action(digest));
}

async function sync(ctx: Context, [who]: [string | undefined], o: { wait?: boolean }) {
  const contact = who ? await resolveContact(ctx, who) : null;
  const job = contact ? await ctx.api.call('post', '/api/contacts/{id}/sync', { path: { id: contact.id } }) : await ctx.api.call('post', '/api/sync', {});
  if (!o.wait) {
    if (ctx.json) return printJson(job);
    return success(`Sync ${job.deduplicated ? 'already queued' : 'queued'}${contact ? ` for ${contact.name}` : ''} (job ${job.id}). Follow it: devhub sync --wait`);
  }
  const s = ctx.json ? null : spinner('Syncing with GitHub…');
  const deadline = Date.now() + WAIT_MS;
  let status: SyncStatus;
  try {
    for (;;) {
      status = await ctx.api.call('get', '/api/sync/{id}', { path: { id: job.id } });
      if (status.state === 'done' || status.state === 'failed') break;
      if (Date.now() > deadline) throw new CliError(`The sync is still ${status.state} after 10 minutes (job ${job.id}).`);
      s?.update(`Syncing with GitHub… (${status.state}${countsText(status.counts)})`);
      await sleep(POLL_MS);
    }
  } finally {
    s?.stop();
  }
  if (ctx.json) return printJson(status);
  if (status.state === 'failed') throw new CliError(`The sync failed: ${status.error ?? 'no reason given'}`);
  success(`Synced${countsText(status.counts)}.`);
}

const countsText = (counts: Record<string, number> | undefined) =>
  counts && Object.keys(counts).length ? `: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}` : '';

async function insights(ctx: Context, _: [], o: { ack?: string; ackAll?: boolean; all?: boolean }) {
  if (o.ack) {
    const acked = await ctx.api.call('post', '/api/insights/{id}/ack', { path: { id: o.ack } });
    if (ctx.json) return printJson(acked);
    return success(`Marked “${acked.title}” as seen.`);
  }
  if (o.ackAll) {
    const acked: string[] = [];
    // each page of new insights shrinks as they are acknowledged
    for (;;) {
      const page = await ctx.api.call('get', '/api/insights', { query: { acknowledged: false, limit: 100 } });
      if (!page.data.length) break;
      for (const i of page.data) acked.push((await ctx.api.call('post', '/api/insights/{id}/ack', { path: { id: i.id } })).id);
    }
    if (ctx.json) return printJson({ acknowledged: acked });
    return success(acked.length ? `Marked ${acked.length} insight${acked.length === 1 ? '' : 's'} as seen.` : 'Nothing new to mark.');
  }
  const page = await ctx.api.call('get', '/api/insights', { query: { limit: 50, ...(o.all ? {} : { acknowledged: false }) } });
  if (ctx.json) return printJson(page);
  if (!page.data.length) return line(o.all ? 'No insights yet. They appear after a GitHub sync of contacts with a GitHub login (devhub sync).' : 'Nothing new. (--all shows those already seen.)');
  const names = await contactNames(ctx, page.data);
  line(
    table(page.data, [
      { header: 'WHEN', value: (i) => relative(i.createdAt) },
      { header: 'WHO', value: (i) => names.get(i.contactId) ?? '', flex: true, style: c.bold },
      { header: 'WHAT', value: (i) => `${i.acknowledged ? '' : '• '}${i.title}`, flex: true },
      { header: 'ID', value: (i) => i.id },
    ]),
  );
  if (page.total > page.data.length) line(c.dim(`\n${page.data.length} of ${page.total}.`));
}

async function digest(ctx: Context, _: [], o: { now?: boolean }) {
  let d: Digest | null;
  if (o.now) {
    const before = await latestDigest(ctx);
    const built = await ctx.api.call('post', '/api/digest', {});
    d = 'priorities' in built ? built : await waitForDigest(ctx, before?.id ?? null);
  } else {
    d = await latestDigest(ctx);
    if (!d) throw new CliError('No digest yet. Build one now: devhub digest --now');
  }
  if (ctx.json) return printJson(d);
  line(c.bold(`Digest for ${d.day}`) + c.dim(` (${d.engine === 'model' ? `written by ${d.model ?? 'the model'}` : 'rule-based'})`));
  if (!d.priorities.length) line('\nNobody needs a nudge today.');
  d.priorities.forEach((p, i) => {
    line(`\n${i + 1}. ${c.bold(p.contactName)}: ${p.reason}\n   ${c.cyan('→')} ${p.action}`);
  });
  if (d.insights.length) {
    line(`\n${c.bold('Insights')}`);
    for (const i of d.insights) line(`  • ${i.contactName}: ${i.title}${i.url ? c.dim(` ${i.url}`) : ''}`);
  }
}

async function waitForDigest(ctx: Context, previousId: string | null): Promise<Digest> {
  const s = ctx.json ? null : spinner('Building your digest…');
  const deadline = Date.now() + WAIT_MS;
  try {
    for (;;) {
      await sleep(POLL_MS);
      const latest = await latestDigest(ctx);
      if (latest && latest.id !== previousId) return latest;
      if (Date.now() > deadline) throw new CliError('The digest is still being built; try `devhub digest` in a minute.');
    }
  } finally {
    s?.stop();
  }
}

async function latestDigest(ctx: Context): Promise<Digest | null> {
  try {
    return await ctx.api.call('get', '/api/digest/latest', {});
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
