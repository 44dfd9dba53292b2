import { randomUUID } from 'node:crypto';
import { GithubTokensService } from '../../src/auth/github-tokens.service';
import { GithubInsight } from '../../src/github/github.entity';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { FakeGithub, startFakeGithub } from '../fakes/fake-github';
import { apiUser, ApiUser } from '../support/api';
import { sql } from '../support/crm';
import { startTestApp, TestApp } from '../support/test-app';
import { CliHome, waitForOutput } from './cli-support';

// every step spawns the built CLI (a Node start-up each): generous on a busy machine
jest.setTimeout(180_000);

/** sync, insights and digest: the CLI against the GitHub sync (fake GitHub on loopback) and the digest. */
describe('devhub sync / insights / digest', () => {
  let gh: FakeGithub;
  let t: TestApp;
  let user: ApiUser;
  let home: CliHome;
  let env: Record<string, string>;
  let adaId: string;

  beforeAll(async () => {
    gh = await startFakeGithub();
    t = await startTestApp({ GITHUB_API_URL: gh.apiUrl, GITHUB_OAUTH_URL: gh.url, GITHUB_CLIENT_ID: gh.clientId, GITHUB_CLIENT_SECRET: gh.clientSecret });
    user = await apiUser(t, 'Sync User');
    await sql(t, 'UPDATE users SET plan = ? WHERE id = ?', ['pro', user.userId]);
    gh.data.setUser('syncuser');
    await t.app.get(GithubTokensService).replace(user.userId, { accessToken: gh.issueToken('syncuser'), refreshToken: null, expiresAt: null });
    gh.data.setUser('ada', { user: { name: 'Ada Lovelace', company: 'Analytical Engines', followers: 48 }, repos: [{ name: 'engine', stargazers_count: 45, created_at: '2024-01-01T00:00:00Z', pushed_at: new Date().toISOString() }] });
    adaId = (await user.write.post('/api/contacts', { name: 'Ada Lovelace', githubUsername: 'ada' }).expect(201)).body.id;
    home = new CliHome(t.baseUrl);
    env = { DEVHUB_TOKEN: user.write.key };
  });
  afterAll(async () => {
    home?.remove();
    await t?.drop();
    await gh?.close();
  });

  const engine = () => t.app.get(LocalJobEngine);
  const run = (...args: string[]) => home.run(args, env);

  // first: the job engine's ticks later on also run the scheduled daily digest
  it('digest: none yet is a clear error; --now builds one and waits for it; --json is the API’s', async () => {
    const none = await run('digest');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('devhub digest --now');
    const building = home.start(['digest', '--now'], env);
    await waitForOutput(building, /Building your digest/, 'the build to be queued');
    await engine().tick();
    await engine().drain();
    const r = await building.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Digest for \d{4}-\d{2}-\d{2} \(rule-based\)/);
    const latest = await user.write.get('/api/digest/latest').expect(200);
    expect(await home.json(['digest'], env)).toEqual(latest.body);
  });

  it('sync queues a job; sync --wait follows it to the end', async () => {
    const queued = await home.json(['sync'], env);
    expect(queued).toEqual({ id: expect.any(String), state: 'queued', deduplicated: false });
    const text = await run('sync', 'ada');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Sync queued for Ada Lovelace \(job \S+\)/);

    const waiting = home.start(['sync', '--wait'], env);
    await waitForOutput(waiting, /Syncing with GitHub/, 'the CLI to wait');
    await engine().tick();
    await engine().drain();
    const r = await waiting.done;
    expect(r.code).toBe(0);
    // (the scheduled sync that the digest test's tick ran may have synced Ada already: counts can be 0)
    expect(r.stdout).toMatch(/^✓ Synced: \d+ contacts, \d+ insights/);
    expect(gh.apiRequestsTo('/users/ada').length).toBeGreaterThan(0);
  });

  it('insights: lists the new ones with the contact’s name, acknowledges one or all', async () => {
    const insert = (title: string) =>
      t.dataSource.getRepository(GithubInsight).insert({ id: randomUUID(), userId: user.userId, contactId: adaId, type: 'new_release', title, description: null, url: 'https://github.com/ada/engine', metadata: '{}', factKey: `release:${title}`, acknowledged: false, acknowledgedAt: null });
    await insert('released engine v1.0.0');
    await insert('released engine v1.1.0');
    await insert('released engine v1.2.0');
    const text = await run('insights');
    expect(text.stdout.split('\n')[0]).toMatch(/^WHEN\s+WHO\s+WHAT\s+ID$/);
    expect(text.stdout).toMatch(/Ada Lovelace\s+• released engine v1\.0\.0/);
    const list = await home.json(['insights'], env);
    const api = await user.write.get('/api/insights?acknowledged=false&limit=50').expect(200);
    expect(list).toEqual(api.body);
    const first = list.data.find((i: { title: string }) => i.title === 'released engine v1.0.0');
    expect(await run('insights', '--ack', first.id).then((r) => r.stdout)).toContain('Marked “released engine v1.0.0” as seen.');
    const all = await home.json(['insights', '--ack-all'], env);
    expect(all.acknowledged).toHaveLength(list.total - 1);
    expect((await run('insights')).stdout).toContain('Nothing new.');
    expect((await home.json(['insights', '--all'], env)).data.every((i: { acknowledged: boolean }) => i.acknowledged)).toBe(true);
  });

});
