import { apiUser, ApiUser } from '../support/api';
import { Browser, sql } from '../support/crm';
import { startTestApp, submitForm, TestApp } from '../support/test-app';
import { CliHome } from './cli-support';

/** Every command against the real app, as text and as --json (the API's own shapes). */
// every step spawns the built CLI (a Node start-up each): generous on a busy machine
jest.setTimeout(180_000);

describe('devhub commands', () => {
  let t: TestApp;
  let user: ApiUser;
  let home: CliHome;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    user = await apiUser(t, 'Charles Babbage');
    home = new CliHome(t.baseUrl);
    env = { DEVHUB_TOKEN: user.write.key };
  });
  afterAll(async () => {
    home.remove();
    await t.drop();
  });

  const run = (...args: string[]) => home.run(args, env);
  const ok = (...args: string[]) => home.ok(args, env);
  const json = <T = any>(...args: string[]) => home.json<T>(args, env);

  it('whoami', async () => {
    expect(await ok('whoami')).toMatch(/Name\s+Charles Babbage[\s\S]*Time zone\s+\S+[\s\S]*Server\s+http:\/\/127\.0\.0\.1/);
    const me = await json('whoami');
    const api = await user.write.get('/api/me').expect(200);
    expect(me).toEqual(api.body);
  });

  it('contacts add, ls, show, edit (text and --json)', async () => {
    const added = await ok('contacts', 'add', 'Ada Lovelace', '--github', 'ada', '--email', 'ada@example.com', '--company', 'Analytical Engines', '--tag', 'math', '--tag', 'engines');
    expect(added).toContain('Added Ada Lovelace (ada@example.com, github:ada, Analytical Engines)');
    const grace = await json('contacts', 'add', 'Grace Hopper', '--company', 'Navy', '--vip', '--keep-in-touch', '30');
    expect(grace).toMatchObject({ name: 'Grace Hopper', company: 'Navy', isVip: true, keepInTouchDays: 30, tags: [] });
    const fromApi = await user.write.get(`/api/contacts/${grace.id}`).expect(200);
    expect(grace).toEqual(fromApi.body);

    const list = await ok('contacts', 'ls');
    expect(list.split('\n')[0]).toMatch(/^NAME\s+COMPANY\s+E-MAIL\s+GITHUB\s+TAGS\s+LAST CONTACT$/);
    expect(list).toMatch(/Ada Lovelace\s+Analytical Engines\s+ada@example\.com\s+ada\s+engines, math/);
    expect(list).toMatch(/Grace Hopper ★\s+Navy/);
    const listed = await json('contacts', 'ls', '--tag', 'math');
    expect(listed).toMatchObject({ total: 1, limit: 20, offset: 0, data: [{ name: 'Ada Lovelace' }] });
    expect((await json('contacts', 'ls', '--q', 'navy', '--limit', '5')).data.map((c: { name: string }) => c.name)).toEqual(['Grace Hopper']);
    expect(await ok('contacts', 'ls', '--q', 'nobody-like-this')).toBe('No contacts match.\n');

    // a table fits the terminal width it is given
    const narrow = await home.run(['contacts', 'ls'], { ...env, COLUMNS: '50' });
    expect(narrow.stdout.trimEnd().split('\n').every((l) => [...l].length <= 50)).toBe(true);

    // <who> by GitHub login, e-mail and name
    expect(await ok('contacts', 'show', 'ada')).toMatch(/Ada Lovelace[\s\S]*E-mail\s+ada@example\.com[\s\S]*GitHub\s+ada/);
    expect((await json('contacts', 'show', 'ada@example.com')).name).toBe('Ada Lovelace');
    expect((await json('contacts', 'show', '@ADA')).name).toBe('Ada Lovelace');
    expect((await json('contacts', 'show', 'grace hopper')).id).toBe(grace.id);

    const edited = await json('contacts', 'edit', 'ada', '--title', 'Countess', '--company', '');
    expect(edited).toMatchObject({ title: 'Countess', company: null, githubUsername: 'ada' });
    expect(await ok('contacts', 'edit', 'grace', '--no-vip')).toContain('Updated Grace Hopper');
    expect((await user.write.get(`/api/contacts/${grace.id}`).expect(200)).body.isVip).toBe(false);
    // nothing to change is a usage error
    expect((await run('contacts', 'edit', 'ada')).code).toBe(2);
  });

  it('an ambiguous <who> lists the candidates and exits 1 when there is no terminal to ask on', async () => {
    await json('contacts', 'add', 'Ada Byron', '--email', 'byron@example.com');
    // "ada" matches both names, but it is exactly Ada Lovelace's GitHub login: an exact match wins
    expect((await json('contacts', 'show', 'ada')).name).toBe('Ada Lovelace');
    await json('contacts', 'add', 'Alan Turing', '--email', 'alan@example.com');
    await json('contacts', 'add', 'Alan Kay', '--github', 'alankay');
    const amb = await run('log', 'Alan', 'call', 'hello');
    expect(amb.code).toBe(1);
    expect(amb.stdout).toBe('');
    expect(amb.stderr).toContain('“Alan” matches 2 contacts');
    expect(amb.stderr).toMatch(/[0-9a-f-]{36}\s+Alan Turing \(alan@example\.com\)/);
    expect(amb.stderr).toMatch(/[0-9a-f-]{36}\s+Alan Kay \(github:alankay\)/);
    // nothing was logged for either
    expect(await sql(t, "SELECT id FROM interactions WHERE summary = 'hello'")).toEqual([]);
    const none = await run('contacts', 'show', 'Nobody');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No contact matches “Nobody”');
  });

  it('log an interaction, with --at read as a natural date', async () => {
    expect(await ok('log', 'ada', 'meeting', 'coffee, talked about engines')).toContain('Logged a meeting with Ada Lovelace');
    const logged = await json('log', 'ada@example.com', 'call', 'follow-up call', '--at', '2026-01-10T10:00:00Z');
    expect(logged).toMatchObject({ type: 'call', summary: 'follow-up call', occurredAt: '2026-01-10T10:00:00.000Z' });
    const api = await user.write.get(`/api/contacts/${logged.contactId}/interactions`).expect(200);
    expect(api.body.data.map((i: { summary: string }) => i.summary)).toEqual(['coffee, talked about engines', 'follow-up call']);
    // an unknown type is a usage error, listing the choices
    const bad = await run('log', 'ada', 'lunch', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('meeting, call, email, message, event, other');
    expect((await run('log', 'ada', 'call', 'x', '--at', 'someday')).code).toBe(2);
  });

  it('followups add / due / snooze / done, dates in the account time zone', async () => {
    // Auckland: 09:00 there on 1 March 2026 is 20:00 UTC the day before (UTC+13 in summer)
    const browser = new (Browser as any)(t, user.agent, (await csrfOf(user)), user.email) as Browser;
    await browser.setTimezone('Pacific/Auckland', 'Charles Babbage');
    const added = await json('followups', 'add', 'ada', '2026-03-01', 'send the notes');
    expect(added).toMatchObject({ dueAt: '2026-02-28T20:00:00.000Z', note: 'send the notes', status: 'open' });
    const tomorrow = await json('followups', 'add', 'grace', 'tomorrow');
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(tomorrow.dueAt));
    const expectedDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland' }).format(new Date(Date.now() + 86400_000));
    expect(local).toBe(`${expectedDay}, 09:00`);

    const text = await ok('followups', 'due');
    expect(text.split('\n')[0]).toMatch(/^ID\s+WHO\s+DUE\s+NOTE$/);
    expect(text).toMatch(new RegExp(`${added.id}\\s+Ada Lovelace\\s+Sun, 1 Mar 2026, 09:00 \\(.* ago\\)\\s+send the notes`));
    expect(text).not.toContain(tomorrow.id);
    const due = await json('followups', 'due');
    expect(due).toMatchObject({ total: 1, data: [{ id: added.id }] });
    const open = await json('followups', 'due', '--all');
    // (Grace's keep-in-touch cadence may add one of its own)
    expect(open.data.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining([added.id, tomorrow.id]));

    const snoozed = await json('followups', 'snooze', added.id, 'in 2 weeks');
    expect(Date.parse(snoozed.dueAt)).toBeGreaterThan(Date.now() + 13 * 86400_000);
    expect(await ok('followups', 'due')).toBe('Nothing due. 🎉\n');
    expect(await json('followups', 'done', added.id)).toMatchObject({ id: added.id, status: 'done', completedAt: expect.any(String) });
    expect(await ok('followups', 'done', tomorrow.id)).toContain('Done.');
    const row = await sql<{ status: string }>(t, 'SELECT status FROM follow_ups WHERE id = ?', [tomorrow.id]);
    expect(row[0].status).toBe('done');
    expect((await run('followups', 'done', 'nope')).code).toBe(1);
    expect((await run('followups', 'add', 'ada', 'whenever')).code).toBe(2);
  });

  it('tags ls / add / rm', async () => {
    expect(await ok('tags', 'add', 'ada', 'poetry')).toBe('✓ Ada Lovelace: engines, math, poetry\n');
    const untagged = await json('tags', 'rm', 'ada', 'poetry');
    expect(untagged.tags.map((x: { name: string }) => x.name)).toEqual(['engines', 'math']);
    const tagged = await json('tags', 'add', 'grace', 'cobol', 'navy');
    expect(tagged.tags.map((x: { name: string }) => x.name).sort()).toEqual(['cobol', 'navy']);
    const text = await ok('tags', 'ls');
    expect(text).toMatch(/^TAG\s+CONTACTS$/m);
    expect(text).toMatch(/^cobol\s+1$/m);
    const list = await json('tags', 'ls');
    expect(list.data.find((x: { name: string }) => x.name === 'math')).toMatchObject({ contactCount: 1 });
    expect(await ok('tags', 'rm', 'grace', 'COBOL')).toContain('Removed “cobol” from Grace Hopper');
    expect((await json('contacts', 'show', 'grace')).tags.map((x: { name: string }) => x.name)).toEqual(['navy']);
    const missing = await run('tags', 'rm', 'grace', 'rust');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no tag “rust” (tags: navy)');
  });

  it('profile: the URL and a QR code drawn in the terminal', async () => {
    const none = await run('profile');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('/settings/profile');
    const saved = await submitForm(user.agent, '/settings/profile', '/settings/profile', { username: 'babbage', displayName: 'Charles Babbage', headline: '', bio: '', bioFormat: 'text', location: '', website: '', avatarUrl: '', isPublic: 'true' });
    expect(saved.status).toBe(303);
    const out = await ok('profile');
    expect(out).toContain(`Charles Babbage  ${t.config.baseUrl}/@babbage`);
    // the terminal renderer draws with half blocks
    expect(out.split('\n').filter((l) => /[█▀▄]/.test(l)).length).toBeGreaterThan(10);
    expect(await json('profile')).toEqual({ username: 'babbage', displayName: 'Charles Babbage', isPublic: true, url: `${t.config.baseUrl}/@babbage` });
  });

  it('contacts rm needs --yes without a terminal', async () => {
    const r = await run('contacts', 'rm', 'grace');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    const gone = await json('contacts', 'rm', 'grace', '--yes');
    expect(gone).toEqual({ deleted: true, id: expect.any(String) });
    expect((await user.write.get(`/api/contacts/${gone.id}`)).status).toBe(404);
    expect(await ok('contacts', 'rm', 'byron@example.com', '--yes')).toContain('Deleted Ada Byron');
  });

  it('a read-only key: writes fail with the server’s message and exit 1', async () => {
    const r = await home.run(['contacts', 'add', 'Nobody'], { DEVHUB_TOKEN: user.read.key });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('read-only');
  });

  it('usage errors exit 2; help and version exit 0', async () => {
    expect((await run('contacts', 'ls', '--limit', '500')).code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
    expect((await run('contacts', 'show')).code).toBe(2);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 success, 1 error, 2 usage error.');
    expect((await run('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('colour only when allowed: FORCE_COLOR draws it, NO_COLOR wins', async () => {
    const coloured = await home.run(['contacts', 'ls'], { ...env, NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[');
    const plain = await home.run(['contacts', 'ls'], { ...env, NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(plain.stdout).not.toContain('\u001b[');
  });
});

async function csrfOf(u: ApiUser): Promise<string> {
  const { csrfFrom } = await import('../support/test-app');
  return csrfFrom((await u.agent.get('/contacts/new').expect(200)).text);
}
