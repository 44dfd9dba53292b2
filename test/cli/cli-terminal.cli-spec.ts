import { apiUser, ApiUser } from '../support/api';
import { startTestApp, TestApp } from '../support/test-app';
import { CliHome, waitForOutput } from './cli-support';

/** Prompts, driven through a pseudo-terminal as a person at a terminal would answer them. */
// every step spawns the built CLI (a Node start-up each): generous on a busy machine
jest.setTimeout(180_000);

describe('devhub on a terminal', () => {
  let t: TestApp;
  let user: ApiUser;
  let home: CliHome;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    user = await apiUser(t, 'Terminal User');
    home = new CliHome(t.baseUrl);
    env = { DEVHUB_TOKEN: user.write.key };
  });
  afterAll(async () => {
    home.remove();
    await t.drop();
  });

  it('contacts rm asks first: "n" keeps the contact, "y" deletes it', async () => {
    const contact = await user.write.post('/api/contacts', { name: 'Grace Hopper', email: 'grace@example.com' }).expect(201);

    const keep = home.startInTerminal(['contacts', 'rm', 'grace@example.com'], env);
    await waitForOutput(keep, /Delete Grace Hopper \(grace@example\.com\) with all interactions and follow-ups\?/, 'the confirmation prompt');
    keep.write('n\r');
    const kept = await keep.done;
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('Kept.');
    await user.write.get(`/api/contacts/${contact.body.id}`).expect(200);

    const del = home.startInTerminal(['contacts', 'rm', 'grace'], env);
    await waitForOutput(del, /Delete Grace Hopper/, 'the confirmation prompt');
    del.write('y\r');
    const deleted = await del.done;
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Deleted Grace Hopper.');
    await user.write.get(`/api/contacts/${contact.body.id}`).expect(404);
  });

  it('an ambiguous <who> becomes a choice', async () => {
    const turing = await user.write.post('/api/contacts', { name: 'Alan Turing', company: 'Bletchley' }).expect(201);
    const kay = await user.write.post('/api/contacts', { name: 'Alan Kay', company: 'PARC' }).expect(201);
    const p = home.startInTerminal(['log', 'alan', 'call', 'talked about objects'], env);
    await waitForOutput(p, /Several contacts match “alan”\. Which one\?/, 'the choice');
    const screen = p.output().stdout;
    // the arrow marks the first choice; one step down picks the other one
    const first = /❯ (Alan \w+)/.exec(screen)?.[1];
    expect(['Alan Turing (Bletchley)', 'Alan Kay (PARC)'].some((n) => screen.includes(n))).toBe(true);
    p.write('\u001b[B');
    p.write('\r');
    const r = await p.done;
    expect(r.code).toBe(0);
    const chosen = first === 'Alan Turing' ? kay.body : turing.body;
    expect(r.stdout).toContain(`Logged a call with ${chosen.name}`);
    const logged = await user.write.get(`/api/contacts/${chosen.id}/interactions`).expect(200);
    expect(logged.body.data.map((i: { summary: string }) => i.summary)).toEqual(['talked about objects']);
  });
});
