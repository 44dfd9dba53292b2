import { readFileSync } from 'node:fs';
import { GithubTokensService } from '../../src/auth/github-tokens.service';
import { GithubSyncService } from '../../src/github/github-sync.service';
import { JobsService } from '../../src/jobs/jobs.service';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { FakeGhEvent, FakeGithub, startFakeGithub } from '../fakes/fake-github';
import { startWebhookReceiver, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient, createApiKey } from '../support/api';
import { Browser, sql } from '../support/crm';
import { startTestApp, TestApp, waitFor } from '../support/test-app';
import { createEndpoint, fakeClock } from '../support/webhooks';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('GitHub sync (against the fake GitHub)', () => {
  let gh: FakeGithub;
  let t: TestApp;
  let receiver: WebhookReceiver;
  let now: number;

  beforeAll(async () => {
    gh = await startFakeGithub();
    receiver = await startWebhookReceiver(undefined, { now: () => now });
    t = await startTestApp({ GITHUB_API_URL: gh.apiUrl, GITHUB_OAUTH_URL: gh.url, GITHUB_CLIENT_ID: gh.clientId, GITHUB_CLIENT_SECRET: gh.clientSecret, WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await t?.drop();
    await gh?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    now = Date.parse('2026-06-01T09:00:00Z');
    fakeClock(t, () => now);
    gh.data.now = () => now;
  });
  afterEach(() => jest.restoreAllMocks());

  const sync = () => t.app.get(GithubSyncService);

  interface World {
    owner: Browser;
    api: ApiClient;
    userId: string;
    token: string | null;
  }

  /** A user with an API key, optionally connected to GitHub as `login` (token stored as the OAuth link would). */
  async function world(name: string, opts: { login?: string; plan?: 'free' | 'pro' | 'premium' } = {}): Promise<World> {
    const owner = await Browser.signUp(t, name);
    const api = new ApiClient(t, await createApiKey(owner.agent, 'write'));
    const userId = ((await api.get('/api/me').expect(200)).body as { id: string }).id;
    await sql(t, 'UPDATE users SET plan = ? WHERE id = ?', [opts.plan ?? 'pro', userId]);
    let token: string | null = null;
    if (opts.login) {
      gh.data.setUser(opts.login);
      token = gh.issueToken(opts.login);
      await sql(t, 'UPDATE users SET github_login = ?, github_id = ? WHERE id = ?', [opts.login, String(gh.data.user(opts.login).user.id), userId]);
      await t.app.get(GithubTokensService).replace(userId, { accessToken: token, refreshToken: null, expiresAt: null });
    }
    return { owner, api, userId, token };
  }

  async function contact(w: World, body: Record<string, unknown>): Promise<string> {
    return ((await w.api.post('/api/contacts', body).expect(201)).body as { id: string }).id;
  }

  const iso = (ms: number) => new Date(ms).toISOString();

  function ada(login = 'ada') {
    return gh.data.setUser(login, {
      user: { name: 'Ada Lovelace', company: 'Analytical Engines', location: 'London', bio: 'Poetical science', followers: 48 },
      repos: [
        { name: 'engine', stargazers_count: 45, language: 'Rust', created_at: '2024-01-01T00:00:00Z', pushed_at: iso(now - 2 * DAY) },
        { name: 'notes', stargazers_count: 3, created_at: '2023-01-01T00:00:00Z', pushed_at: '2025-01-01T00:00:00Z' },
      ],
      events: [
        { id: '9001', type: 'PullRequestEvent', created_at: iso(now - DAY), actor: { login }, repo: { name: `${login}/engine` }, payload: { action: 'opened', pull_request: { number: 1, title: 'Faster', user: { login } } } },
        { id: '9002', type: 'PushEvent', created_at: iso(now - 3 * DAY), actor: { login }, repo: { name: `${login}/engine` }, payload: {} },
      ],
      social: [{ provider: 'mastodon', url: 'https://fosstodon.example/@ada' }],
      releases: { engine: [{ id: 1, tag_name: 'v1.0.0' }] },
    });
  }

  it('first sync reads the five resources and sets the baseline; within the lifetimes nothing is asked; after them 304s cost nothing', async () => {
    const w = await world('Casey Cache', { login: 'casey' });
    ada('ada1');
    const id = await contact(w, { name: 'Ada Lovelace', githubUsername: 'ada1' });
    const before = gh.apiRequestsTo('/users/ada1').length + gh.apiRequestsTo('/repos/ada1').length;
    expect(before).toBe(0);

    const first = await sync().syncUser(w.userId, { mode: 'now' });
    expect(first).toMatchObject({ contacts: 1, insights: 0, notFound: 0, failed: 0 });
    const paths = [...gh.apiRequestsTo('/users/ada1'), ...gh.apiRequestsTo('/repos/ada1')].map((r) => `${r.path.replace('/api/v3', '')}${r.query.sort ? `?sort=${r.query.sort}` : ''}${r.query.per_page ? `?per_page=${r.query.per_page}` : ''}`).sort();
    expect(paths).toEqual(['/repos/ada1/engine/releases?per_page=5', '/users/ada1', '/users/ada1/events/public', '/users/ada1/repos?sort=updated', '/users/ada1/social_accounts']);
    // every read carried the user's own token
    for (const r of gh.apiRequestsTo('/users/ada1')) expect(r.headers.authorization).toBe(`token ${w.token}`);
    expect((await w.api.get('/api/insights').expect(200)).body.total).toBe(0);
    const c = (await w.api.get(`/api/contacts/${id}`).expect(200)).body as { activityScore: number };
    expect(c.activityScore).toBeGreaterThan(0);

    const card = await w.owner.get(`/contacts/${id}`).expect(200);
    expect(card.text).toContain('Analytical Engines');
    expect(card.text).toContain('engine</a>');
    expect(card.text).toMatch(/Activity<\/span><span class="gh-score"[^>]*>\d+\/100/);

    // within the lifetimes: no request at all
    const calls = gh.apiCalls.total;
    now += 5 * 60_000;
    await sync().syncUser(w.userId, { mode: 'now', contactId: id });
    expect(gh.apiCalls.total).toBe(calls);

    // after every lifetime: conditional requests, answered 304, free, and nothing changes
    now += 25 * HOUR;
    const points = gh.apiCalls.points;
    const notModified = gh.apiCalls.notModified;
    const later = await sync().syncUser(w.userId, { mode: 'now' });
    expect(later).toMatchObject({ contacts: 1, insights: 0 });
    expect(gh.apiCalls.notModified - notModified).toBeGreaterThanOrEqual(5);
    // only the user's own feed (conversations) changed nothing either: no point spent on contacts
    expect(gh.apiCalls.points - points).toBe(0);
    for (const r of gh.apiRequestsTo('/users/ada1').slice(-4)) expect(r.headers['if-none-match']).toMatch(/^"[0-9a-f]+"$/);
    expect((await w.api.get('/api/insights').expect(200)).body.total).toBe(0);
  });

  it('a changed company makes one company_change and a new release one new_release, never repeated; insight.created reaches a webhook', async () => {
    const w = await world('Ivy Insight', { login: 'ivy' });
    const ep = await createEndpoint(w.owner, receiver, '/hooks/insights', { events: 'insight.created' });
    expect(ep.id).toBeTruthy();
    ada('ada2');
    const id = await contact(w, { name: 'Ada Lovelace', githubUsername: 'ada2' });
    await sync().syncUser(w.userId, { mode: 'now' });

    const p = gh.data.user('ada2');
    p.user.company = 'Babbage & Co';
    p.releases.engine!.unshift({ id: 2, tag_name: 'v2.0.0', name: 'Two' });
    now += 25 * HOUR;
    const second = await sync().syncUser(w.userId, { mode: 'now' });
    expect(second.insights).toBe(2);
    const list = (await w.api.get('/api/insights').expect(200)).body as { data: Array<{ type: string; title: string; url: string; contactId: string }>; total: number };
    expect(list.data.map((i) => i.type).sort()).toEqual(['company_change', 'new_release']);
    const company = list.data.find((i) => i.type === 'company_change')!;
    expect(company).toMatchObject({ title: 'Ada Lovelace moved from Analytical Engines to Babbage & Co', contactId: id });
    expect(list.data.find((i) => i.type === 'new_release')!.url).toBe('https://github.example/ada2/engine/releases/tag/v2.0.0');

    now += 25 * HOUR;
    expect((await sync().syncUser(w.userId, { mode: 'now' })).insights).toBe(0);
    expect((await w.api.get('/api/insights').expect(200)).body.total).toBe(2);

    await t.app.get(WebhookDispatcher).drain();
    const got = await waitFor(() => {
      const hits = receiver.hits('/hooks/insights');
      return hits.length >= 2 && hits;
    }, 'insight.created deliveries');
    const types = got.map((r) => (JSON.parse(String(r.body)) as { type: string; data: { type: string } }).data.type).sort();
    expect(types).toEqual(['company_change', 'new_release']);
    expect(got.every((r) => (JSON.parse(String(r.body)) as { type: string }).type === 'insight.created')).toBe(true);
  });

  it('an unknown username is marked not found without failing the batch; a renamed account is followed', async () => {
    const w = await world('Nora Notfound', { login: 'nora' });
    ada('ada3');
    gh.data.setUser('oldname', { user: { name: 'Grace', company: 'Navy' } });
    const ok = await contact(w, { name: 'Ada', githubUsername: 'ada3' });
    const missing = await contact(w, { name: 'Nobody', githubUsername: 'no-such-user-x' });
    const moved = await contact(w, { name: 'Grace Hopper', githubUsername: 'oldname' });
    gh.data.rename('oldname', 'newname');
    const counts = await sync().syncUser(w.userId, { mode: 'now' });
    expect(counts).toMatchObject({ contacts: 3, notFound: 1, renamed: 1, failed: 0 });
    expect((await w.api.get(`/api/contacts/${moved}`).expect(200)).body.githubUsername).toBe('newname');
    expect((await w.api.get(`/api/contacts/${ok}`).expect(200)).body.activityScore).toBeGreaterThan(0);
    const page = await w.owner.get(`/contacts/${missing}`).expect(200);
    expect(page.text).toContain('GitHub has no account named <strong>@no-such-user-x</strong>');
  });

  it('an exhausted rate limit pauses the token at its reserve until the reset, then the sync resumes', async () => {
    const w = await world('Rita Ratelimit', { login: 'rita' });
    for (let i = 0; i < 6; i++) gh.data.setUser(`busy${i}`, { user: { name: `Busy ${i}` } });
    for (let i = 0; i < 6; i++) await contact(w, { name: `Busy ${i}`, githubUsername: `busy${i}` });
    const reset = now + 20 * 60_000;
    // 500 is the reserve (10 % of 5,000): six requests are left above it
    gh.data.setBudget(w.token, 506, new Date(reset));
    const first = await sync().syncUser(w.userId, { mode: 'now' });
    expect(first.contacts).toBeLessThan(6);
    expect(first.deferred).toBeGreaterThan(0);
    expect(gh.data.budgetOf(w.token).remaining).toBeGreaterThanOrEqual(500);
    const calls = gh.apiCalls.total;
    // still before the reset: no request at all
    now += 60_000;
    const paused = await sync().syncUser(w.userId, { mode: 'now' });
    expect(paused.contacts).toBe(0);
    expect(gh.apiCalls.total).toBe(calls);
    // after the reset it resumes with the rest
    now = reset + 1000;
    const resumed = await sync().syncUser(w.userId, { mode: 'now' });
    expect(first.contacts + resumed.contacts).toBe(6);
    const settings = await w.owner.get('/settings/github').expect(200);
    expect(settings.text).toMatch(/\d+ of 5000 requests left this hour/);
  });

  it('a token GitHub rejects marks the connection broken, notifies the user, and syncing falls back (unauthenticated: VIPs only)', async () => {
    const w = await world('Bob Broken', { login: 'bob' });
    gh.data.setUser('vipperson', { user: { name: 'Vip' } });
    gh.data.setUser('plainperson', { user: { name: 'Plain' } });
    await contact(w, { name: 'Vip Person', githubUsername: 'vipperson', isVip: true });
    await contact(w, { name: 'Plain Person', githubUsername: 'plainperson' });
    gh.revokeToken(w.token!);
    const counts = await sync().syncUser(w.userId, { mode: 'now' });
    expect(counts.contacts).toBeGreaterThanOrEqual(1);
    const conn = await sql<{ broken_at: unknown }>(t, 'SELECT broken_at FROM github_connections WHERE user_id = ?', [w.userId]);
    expect(conn[0]!.broken_at).toBeTruthy();
    const notes = await sql<{ type: string; link: string }>(t, 'SELECT type, link FROM notifications WHERE user_id = ?', [w.userId]);
    expect(notes).toEqual([{ type: 'github.broken', link: '/settings/github' }]);
    // the unauthenticated fallback reads only the VIP
    const anon = gh.apiRequestsTo('/users/').filter((r) => !r.headers.authorization);
    expect(anon.some((r) => r.path.includes('/vipperson'))).toBe(true);
    expect(anon.some((r) => r.path.includes('/plainperson'))).toBe(false);
    const settings = await w.owner.get('/settings/github').expect(200);
    expect(settings.text).toContain('Connection broken');
    // a second run does not notify again
    now += 2 * DAY;
    await sync().syncUser(w.userId, { mode: 'now' });
    expect((await sql(t, 'SELECT id FROM notifications WHERE user_id = ?', [w.userId])).length).toBe(1);
  });

  it('an expiring token is refreshed before use and the new pair stored encrypted; a failed refresh marks it broken', async () => {
    const w = await world('Rae Refresh', { login: 'rae' });
    gh.data.setUser('someone1');
    await contact(w, { name: 'Someone', githubUsername: 'someone1' });
    const tokens = t.app.get(GithubTokensService);
    // a refresh token the fake does not know: the refresh fails
    await tokens.replace(w.userId, { accessToken: w.token!, refreshToken: 'ghr_unknown', expiresAt: new Date(now + 60_000) });
    await sync().syncUser(w.userId, { mode: 'now' });
    expect((await sql<{ broken_at: unknown }>(t, 'SELECT broken_at FROM github_connections WHERE user_id = ?', [w.userId]))[0]!.broken_at).toBeTruthy();
  });

  it('a token about to expire is refreshed before use; the new pair replaces the old one, encrypted', async () => {
    const w = await world('Ray Renew', { login: 'ray' });
    gh.data.setUser('someone2');
    await contact(w, { name: 'Someone', githubUsername: 'someone2' });
    // a GitHub App user token with its refresh token, through the OAuth flow of the fake
    const res = await fetch(`${gh.url}/login/oauth/access_token`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: gh.clientId, client_secret: gh.clientSecret, grant_type: 'refresh_token', refresh_token: 'none' }).toString() });
    expect(res.status).toBe(400);
    const tokens = t.app.get(GithubTokensService);
    const refresh = gh.issueRefreshToken(w.token!);
    await tokens.replace(w.userId, { accessToken: w.token!, refreshToken: refresh, expiresAt: new Date(now + 60_000) });
    const counts = await sync().syncUser(w.userId, { mode: 'now' });
    expect(counts.contacts).toBe(1);
    const pair = (await tokens.get(w.userId))!;
    expect(pair.accessToken).not.toBe(w.token);
    expect(pair.refreshToken).not.toBe(refresh);
    expect(pair.expiresAt!.getTime()).toBeGreaterThan(now + 7 * HOUR);
    // the reads used the new token, and nothing is broken
    expect(gh.apiRequestsTo('/users/someone2')[0]!.headers.authorization).toBe(`token ${pair.accessToken}`);
    expect(await sql(t, 'SELECT user_id FROM github_connections WHERE user_id = ? AND broken_at IS NOT NULL', [w.userId])).toEqual([]);
    const stored = await sql<{ r: string }>(t, 'SELECT github_refresh_token_encrypted AS r FROM users WHERE id = ?', [w.userId]);
    expect(stored[0]!.r).toMatch(/^v1:/);
  });

  it('the scheduled job and the cleanup steps are registered with the jobs module; a scheduled run syncs a share of due contacts', async () => {
    const jobs = t.app.get(JobsService);
    expect(jobs.definition('sync-github-activity')).toMatchObject({ queue: 'devhub-sync', schedule: { everyMs: 600_000 } });
    expect(jobs.cleanupSteps().map(([n]) => n)).toEqual(expect.arrayContaining(['github-cache', 'github-insights']));
    const w = await world('Sid Scheduled', { login: 'sid', plan: 'premium' });
    gh.data.setUser('sched1');
    await contact(w, { name: 'Sched', githubUsername: 'sched1' });
    const counts = await sync().runScheduled();
    expect(counts.contacts).toBeGreaterThanOrEqual(1);
    expect(await sql(t, 'SELECT contact_id FROM github_profiles WHERE user_id = ?', [w.userId])).toHaveLength(1);
    // cleanup: cache entries unused for 30 days go
    const gone = await jobs.cleanupSteps().find(([n]) => n === 'github-cache')![1](new Date(now + 31 * DAY));
    expect(gone).toBeGreaterThan(0);
  });

  it('the token is never in the database in plain text', async () => {
    const w = await world('Sam Secret', { login: 'sam' });
    const rows = await sql<{ github_token_encrypted: string }>(t, 'SELECT github_token_encrypted FROM users WHERE id = ?', [w.userId]);
    expect(rows[0]!.github_token_encrypted).toMatch(/^v1:/);
    expect(rows[0]!.github_token_encrypted).not.toContain(w.token!);
    if (!t.config.databaseUrl.startsWith('postgres')) {
      await sql(t, 'PRAGMA wal_checkpoint(FULL)');
      const file = t.config.databaseUrl.replace(/^sqlite:/, '');
      for (const f of [file, `${file}-wal`]) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(f);
        } catch {
          continue;
        }
        expect(bytes.includes(Buffer.from(w.token!))).toBe(false);
      }
    }
  });

  it('events from the user\'s own feed become one github interaction each, and reset the keep-in-touch cadence', async () => {
    const w = await world('Tim Timeline', { login: 'tim' });
    gh.data.setUser('grace', { user: { name: 'Grace' } });
    const id = await contact(w, { name: 'Grace Hopper', githubUsername: 'grace', keepInTouchDays: 30 });
    const dueBefore = (await sql<{ due_at: string }>(t, "SELECT due_at FROM follow_ups WHERE contact_id = ? AND status = 'open'", [id]))[0]!.due_at;
    now += 2 * DAY;
    const own: FakeGhEvent[] = [
      { id: '77001', type: 'PullRequestReviewEvent', created_at: iso(now - HOUR), actor: { login: 'tim' }, repo: { name: 'org/compiler' }, payload: { action: 'created', review: { html_url: 'https://github.example/org/compiler/pull/5#pullrequestreview-1' }, pull_request: { number: 5, title: 'Add COBOL', user: { login: 'grace' } } } },
      { id: '77002', type: 'IssueCommentEvent', created_at: iso(now - 2 * HOUR), actor: { login: 'tim' }, repo: { name: 'org/other' }, payload: { action: 'created', comment: { body: 'thanks', html_url: 'https://github.example/org/other/issues/1#c' }, issue: { number: 1, title: 'Unrelated', user: { login: 'stranger' } } } },
    ];
    gh.data.setUser('tim', { ownEvents: own });
    const counts = await sync().syncUser(w.userId, { mode: 'now' });
    expect(counts.interactions).toBe(1);
    const list = (await w.api.get(`/api/contacts/${id}/interactions`).expect(200)).body as { data: Array<{ type: string; url: string; summary: string; occurredAt: string }> };
    expect(list.data).toEqual([expect.objectContaining({ type: 'github', url: 'https://github.example/org/compiler/pull/5#pullrequestreview-1', summary: "Reviewed Grace Hopper's pull request org/compiler#5: Add COBOL" })]);
    const c = (await w.api.get(`/api/contacts/${id}`).expect(200)).body as { lastInteractionAt: string };
    expect(c.lastInteractionAt).toBe(list.data[0]!.occurredAt);
    const dueAfter = (await sql<{ due_at: string }>(t, "SELECT due_at FROM follow_ups WHERE contact_id = ? AND status = 'open'", [id]))[0]!.due_at;
    expect(new Date(dueAfter).getTime()).toBeGreaterThan(new Date(dueBefore).getTime());
    // once each: the same event on the next sync adds nothing
    now += HOUR;
    expect((await sync().syncUser(w.userId, { mode: 'now' })).interactions).toBe(0);
    expect((await w.api.get(`/api/contacts/${id}/interactions`).expect(200)).body.total).toBe(1);
    const page = await w.owner.get(`/contacts/${id}`).expect(200);
    expect(page.text).toContain('type-github');
    // users cannot log a github interaction by hand
    const res = await w.api.post(`/api/contacts/${id}/interactions`, { type: 'github', summary: 'x' });
    expect(res.status).toBe(400);
    // the setting turns it off
    await w.owner.post('/settings/github/timeline', {}).expect(303);
    gh.data.user('tim').ownEvents.unshift({ ...own[0]!, id: '77003' });
    now += HOUR;
    expect((await sync().syncUser(w.userId, { mode: 'now' })).interactions).toBe(0);
  });

  it('free plan: 10 contacts a day; the 11th waits for the next day', async () => {
    const w = await world('Fay Free', { login: 'fay', plan: 'free' });
    for (let i = 0; i < 11; i++) gh.data.setUser(`free${i}`);
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push(await contact(w, { name: `Free ${i}`, githubUsername: `free${i}`, isVip: i === 10 }));
    const first = await sync().syncUser(w.userId, { mode: 'now' });
    expect(first.contacts).toBe(10);
    // VIPs first: the VIP added last was among them
    expect((await sql(t, 'SELECT contact_id FROM github_profiles WHERE contact_id = ?', [ids[10]])).length).toBe(1);
    now += 2 * HOUR;
    expect((await sync().syncUser(w.userId, { mode: 'now' })).contacts).toBe(0);
    expect(await sync().dueContacts(w.userId, 'free', 'now')).toEqual([]);
    now = Date.parse('2026-06-02T00:05:00Z');
    const due = await sync().dueContacts(w.userId, 'free', 'now');
    expect(due[0]!.githubUsername).toBe(ids.length === 11 ? due[0]!.githubUsername : '');
    const next = await sync().syncUser(w.userId, { mode: 'now' });
    expect(next.contacts).toBe(10);
    const synced = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM github_profiles WHERE user_id = ?', [w.userId]);
    expect(Number(synced[0]!.n)).toBe(11);
    // a scheduled run spreads the day's ten over the slots left in the day
    now = Date.parse('2026-06-03T00:05:00Z');
    expect((await sync().dueContacts(w.userId, 'free', 'scheduled')).length).toBe(1);
    expect((await sync().dueContacts(w.userId, 'premium', 'scheduled')).length).toBe(11);
  });

  it('API: /api/sync answers 202 with a job (a second request while queued gets the same one), /api/sync/:id reports it; insights filter, paginate and acknowledge; another user sees 404', async () => {
    const w = await world('Alice Api', { login: 'alice' });
    const other = await world('Mallory Other');
    ada('ada4');
    const id = await contact(w, { name: 'Ada', githubUsername: 'ada4' });
    const a = await w.api.post('/api/sync').expect(202);
    expect(a.body).toMatchObject({ state: 'queued', deduplicated: false });
    // a second "sync now" while the first is still queued gets the same job
    const b = await w.api.post('/api/sync').expect(202);
    expect(b.body).toMatchObject({ id: a.body.id, deduplicated: true });
    expect((await w.api.get(`/api/sync/${a.body.id}`).expect(200)).body.state).toBe('queued');
    // nothing called GitHub yet: requests only queue work
    expect(gh.apiRequestsTo('/users/ada4')).toHaveLength(0);
    const engine = t.app.get(LocalJobEngine);
    await engine.tick();
    await engine.drain();
    const done = await waitFor(async () => {
      const s = (await w.api.get(`/api/sync/${a.body.id}`).expect(200)).body as { state: string; counts: Record<string, number> };
      return (s.state === 'done' || s.state === 'failed') && s;
    }, 'sync job done', 15_000);
    expect(done.state).toBe('done');
    expect(done.counts.contacts).toBe(1);
    await other.api.get(`/api/sync/${a.body.id}`).expect(404);
    await other.api.post(`/api/contacts/${id}/sync`).expect(404);
    const one = await w.api.post(`/api/contacts/${id}/sync`).expect(202);
    expect(typeof one.body.id).toBe('string');

    gh.data.user('ada4').user.location = 'Paris';
    gh.data.user('ada4').user.bio = 'New bio';
    now += 25 * HOUR;
    await sync().syncUser(w.userId, { mode: 'now' });
    const all = (await w.api.get('/api/insights?limit=1').expect(200)).body as { data: Array<{ id: string }>; total: number; limit: number };
    expect(all.total).toBe(2);
    expect(all.data).toHaveLength(1);
    const loc = (await w.api.get('/api/insights?type=location_change').expect(200)).body as { data: Array<{ id: string; type: string }> };
    expect(loc.data.map((i) => i.type)).toEqual(['location_change']);
    expect((await w.api.get(`/api/insights?contactId=${id}&acknowledged=false`).expect(200)).body.total).toBe(2);
    await w.api.get('/api/insights?type=nope').expect(400);
    await other.api.post(`/api/insights/${loc.data[0]!.id}/ack`).expect(404);
    expect((await other.api.get('/api/insights').expect(200)).body.total).toBe(0);
    const acked = await w.api.post(`/api/insights/${loc.data[0]!.id}/ack`).expect(200);
    expect(acked.body.acknowledged).toBe(true);
    expect((await w.api.get('/api/insights?acknowledged=false').expect(200)).body.total).toBe(1);

    // pages: /insights and the dashboard card show them; "mark all" acknowledges
    const pageRes = await w.owner.get('/insights').expect(200);
    expect(pageRes.text).toContain('Ada updated their bio');
    const dash = await w.owner.get('/dashboard').expect(200);
    expect(dash.text).toContain('Ada updated their bio');
    await w.owner.post('/insights/ack-all', {}).expect(303);
    expect((await w.api.get('/api/insights?acknowledged=false').expect(200)).body.total).toBe(0);
    const empty = await w.owner.get('/insights').expect(200);
    expect(empty.text).toContain('You are all caught up.');
    const otherPage = await other.owner.get('/insights').expect(200);
    expect(otherPage.text).toContain('No insights yet.');
    expect(otherPage.text).not.toContain('Ada');
  });

  it('/settings/github: connect link, connected login, disconnect deletes the token', async () => {
    const w = await world('Dora Disconnect', { login: 'dora' });
    const page = await w.owner.get('/settings/github').expect(200);
    expect(page.text).toContain('as <strong>@dora</strong>');
    await w.owner.post('/settings/github/disconnect', {}).expect(303);
    const rows = await sql<{ github_token_encrypted: string | null }>(t, 'SELECT github_token_encrypted FROM users WHERE id = ?', [w.userId]);
    expect(rows[0]!.github_token_encrypted).toBeNull();
    const after = await w.owner.get('/settings/github').expect(200);
    expect(after.text).toContain('href="/auth/github"');
    expect(after.text).toContain('Not connected');
  });
});
