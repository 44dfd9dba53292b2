import { normalizeDbDate } from '../../src/contacts/contacts.service';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

describe('contacts', () => {
  let t: TestApp;
  let agent: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    agent = t.agent();
    await signUp(agent, { name: 'Casey Owner', email: 'casey@example.com' });
  });
  afterAll(async () => {
    await t.drop();
  });

  async function createContact(fields: Record<string, string>) {
    const res = await submitForm(agent, '/contacts/new', '/contacts', { name: 'Someone', ...fields });
    expect(res.status).toBe(303);
    return res.headers.location.split('/').pop()!;
  }

  it('creates a contact and answers 303 to its page', async () => {
    const res = await submitForm(agent, '/contacts/new', '/contacts', {
      name: 'Ada Lovelace',
      email: 'ADA@Example.com',
      company: 'Analytical Engines',
      title: 'Programmer',
      githubUsername: 'https://github.com/AdaL',
      website: 'https://ada.example',
      keepInTouchDays: '30',
      isVip: 'true',
      notes: 'Met at the Difference Engine meetup',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/contacts\/[0-9a-f-]{36}$/);
    const page = await agent.get(res.headers.location).expect(200);
    expect(page.text).toContain('Ada Lovelace');
    expect(page.text).toContain('ada@example.com');
    expect(page.text).toContain('@adal');
    expect(page.text).toContain('VIP');
    expect(page.text).toMatch(/cadence/i);
  });

  it('shows the form again with the input kept and a message at each bad field', async () => {
    const res = await submitForm(agent, '/contacts/new', '/contacts', {
      name: '',
      email: 'nope',
      website: 'javascript:alert(1)',
      keepInTouchDays: '9999',
      githubUsername: 'bad name!',
      company: 'x'.repeat(300),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a name.');
    expect(res.text).toContain('Enter a valid e-mail address');
    expect(res.text).toContain('Enter a full URL');
    expect(res.text).toContain('Use 1 to 365 days.');
    expect(res.text).toContain('A GitHub username has');
    expect(res.text).toContain('Use at most 200 characters.');
    expect(res.text).toContain('value="nope"');
  });

  it('searches name, company, e-mail, GitHub, notes and tags, and filters by tag', async () => {
    const grace = await createContact({ name: 'Grace Hopper', company: 'Navy', email: 'grace@cobol.example', githubUsername: 'ghopper', notes: 'compiler pioneer' });
    await createContact({ name: 'Linus Torvalds', company: 'Linux Foundation' });
    const page = await agent.get(`/contacts/${grace}`).expect(200);
    await agent.post(`/contacts/${grace}/tags`).type('form').send({ _csrf: csrfFrom(page.text), tag: 'Rust' }).expect(303);

    for (const q of ['grace', 'Navy', 'cobol', 'ghopp', 'compiler', 'rust', 'hop']) {
      const res = await agent.get('/contacts').query({ q }).expect(200);
      expect(res.text).toContain('Grace Hopper');
      expect(res.text).not.toContain('Linus Torvalds');
    }
    const byTag = await agent.get('/contacts').query({ tag: 'rust' }).expect(200);
    expect(byTag.text).toContain('Grace Hopper');
    expect(byTag.text).not.toContain('Linus Torvalds');
    const none = await agent.get('/contacts').query({ q: 'zzzzqqq' }).expect(200);
    expect(none.text).toContain('No contacts match');
  });

  it('logs interactions and keeps lastInteractionAt on the newest one', async () => {
    const id = await createContact({ name: 'Timeline Person', keepInTouchDays: '14' });
    const page = await agent.get(`/contacts/${id}`).expect(200);
    const csrf = csrfFrom(page.text);
    await agent.post(`/contacts/${id}/interactions`).type('form').send({ _csrf: csrf, type: 'call', occurredAt: '2026-01-10T10:00', summary: 'Old call' }).expect(303);
    await agent.post(`/contacts/${id}/interactions`).type('form').send({ _csrf: csrf, type: 'meeting', occurredAt: '2026-02-10T10:00', summary: 'Coffee' }).expect(303);
    const q = (sql: string) => t.dataSource.query(sql.replace('$ID', `'${id}'`));
    const [c] = await q(`SELECT last_interaction_at FROM contacts WHERE id = $ID`);
    expect(normalizeDbDate(c.last_interaction_at).toISOString()).toBe('2026-02-10T10:00:00.000Z');
    const bad = await agent.post(`/contacts/${id}/interactions`).type('form').send({ _csrf: csrf, type: 'telepathy', occurredAt: 'not a date' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Choose one of');
  });
});
