import type { Command } from 'commander';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { relative } from '../format.js';
import { c, line, printJson, spinner, success, table } from '../output.js';
import { resolveContact } from '../resolve.js';
import { action } from './action.js';

// The GitHub sync (issue 13) and digest (issue 14) endpoints are written against the contract's
// paths; these shapes mirror their DTOs until their routes are in the OpenAPI document.
interface JobStatus {
  id: string;
  name?: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  counts?: Record<string, number>;
  error?: string | null;
}
interface Enqueued {
  id?: string;
  jobId?: string;
  state?: string;
}
interface Insight {
  id: string;
  contactId: string;
  contactName?: string;
  type: string;
  title: string;
  url: string | null;
  createdAt: string;
  acknowledged?: boolean;
  acknowledgedAt?: string | null;
}
interface List<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
}
interface Digest {
  id: string;
  day: string;
  engine: string;
  priorities: Array<{ contactName: string; reason: string; action: string; status?: string }>;
  insights: Array<{ contactName: string; title: string; url: string | null }>;
  createdAt: string;
}

const SYNC_WAIT_MS = 10 * 60_000;
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
    .option('--ack-all', 'mark every listed insight as seen')
    .action(action(insights));

  program.command('digest').description('today’s digest: who to reach out to, and why').option('--now', 'build a fresh one now').action(action(digest));
}

async function sync(ctx: Context, [who]: [string | undefined], o: { wait?: boolean }) {
  const contact = who ? await resolveContact(ctx, who) : null;
  const job = (await (contact ? ctx.api.request('post', '/api/contacts/{id}/sync', { path: { id: contact.id } }) : ctx.api.request('post', '/api/sync'))) as Enqueued;
  const id = job.jobId ?? job.id;
  if (!o.wait || !id) {
    if (ctx.json) return printJson(job);
    return success(`Sync queued${contact ? ` for ${contact.name}` : ''}${id ? ` (job ${id}; devhub sync --wait follows it)` : ''}.`);
  }
  const s = ctx.json ? null : spinner('Syncing with GitHub…');
  const deadline = Date.now() + SYNC_WAIT_MS;
  let status: JobStatus;
  try {
    for (;;) {
      status = (await ctx.api.request('get', '/api/sync/{id}', { path: { id } })) as JobStatus;
      if (status.state === 'done' || status.state === 'failed') break;
      if (Date.now() > deadline) throw new CliError(`The sync is still ${status.state} after 10 minutes; check later with devhub sync --wait.`);
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

async function insights(ctx: Context, _: [], o: { ack?: string; ackAll?: boolean }) {
  if (o.ack) {
    const acked = await ctx.api.request('post', '/api/insights/{id}/ack', { path: { id: o.ack } });
    if (ctx.json) return printJson(acked ?? { id: o.ack, acknowledged: true });
    return success('Marked as seen.');
  }
  const page = (await ctx.api.request('get', '/api/insights', { query: { limit: 100 } })) as List<Insight>;
  const open = page.data.filter((i) => !i.acknowledged && !i.acknowledgedAt);
  if (o.ackAll) {
    for (const i of open) await ctx.api.request('post', '/api/insights/{id}/ack', { path: { id: i.id } });
    if (ctx.json) return printJson({ acknowledged: open.map((i) => i.id) });
    return success(open.length ? `Marked ${open.length} insight${open.length === 1 ? '' : 's'} as seen.` : 'Nothing new to mark.');
  }
  if (ctx.json) return printJson(page);
  if (!page.data.length) return line('No insights yet. They appear after a GitHub sync of contacts with a GitHub login (devhub sync).');
  line(
    table(page.data, [
      { header: 'WHEN', value: (i) => relative(i.createdAt) },
      { header: 'WHO', value: (i) => i.contactName ?? '', flex: true, style: c.bold },
      { header: 'WHAT', value: (i) => `${i.acknowledged || i.acknowledgedAt ? '' : '• '}${i.title}`, flex: true },
      { header: 'ID', value: (i) => i.id },
    ]),
  );
}

async function digest(ctx: Context, _: [], o: { now?: boolean }) {
  let d: Digest | null = null;
  if (o.now) {
    const before = await latestDigest(ctx);
    const built = (await ctx.api.request('post', '/api/digest')) as Digest | Enqueued;
    if ('priorities' in built) d = built;
    else {
      const s = ctx.json ? null : spinner('Building your digest…');
      const deadline = Date.now() + SYNC_WAIT_MS;
      try {
        while (!d) {
          await sleep(POLL_MS);
          const latest = await latestDigest(ctx);
          if (latest && latest.id !== before?.id) d = latest;
          else if (Date.now() > deadline) throw new CliError('The digest is still being built; try `devhub digest` in a minute.');
        }
      } finally {
        s?.stop();
      }
    }
  } else {
    d = await latestDigest(ctx);
    if (!d) throw new CliError('No digest yet. Build one now: devhub digest --now');
  }
  if (ctx.json) return printJson(d);
  line(c.bold(`Digest for ${d.day}`) + c.dim(` (${d.engine})`));
  if (!d.priorities.length) line('\nNobody needs a nudge today.');
  d.priorities.forEach((p, i) => line(`\n${i + 1}. ${c.bold(p.contactName)}: ${p.reason}\n   ${c.cyan('→')} ${p.action}`));
  if (d.insights.length) {
    line(`\n${c.bold('Insights')}`);
    for (const i of d.insights) line(`  • ${i.contactName}: ${i.title}${i.url ? c.dim(` ${i.url}`) : ''}`);
  }
}

async function latestDigest(ctx: Context): Promise<Digest | null> {
  try {
    return (await ctx.api.request('get', '/api/digest/latest')) as Digest;
  } catch (err) {
    if (err instanceof CliError && (err as { status?: number }).status === 404) return null;
    throw err;
  }
}
