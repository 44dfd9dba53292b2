import { FakeSmtp, startFakeSmtp } from '../fakes/fake-smtp';
import { ApiClient, createApiKey } from '../support/api';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp, waitFor } from '../support/test-app';

describe('API keys: at most 25 active per account; a reset can revoke them all', () => {
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t?.drop();
    await smtp?.close();
  });

  it('refuses a 26th active key with a message beside the name, and allows one again after a revocation', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Key Hoarder' });
    const keys: string[] = [];
    for (let i = 0; i < 25; i++) keys.push(await createApiKey(agent, 'read', `key ${i}`));
    const page = await agent.get('/settings/api-keys').expect(200);
    const refused = await agent.post('/settings/api-keys').type('form').send({ _csrf: csrfFrom(page.text), name: 'one too many', scope: 'read' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('You have 25 active keys, the most an account may hold.');
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM api_keys WHERE name = 'one too many'`))[0].n)).toBe(0);

    const [first] = await t.dataSource.query(`SELECT id FROM api_keys WHERE name = 'key 0'`);
    const list = await agent.get('/settings/api-keys').expect(200);
    await agent.post(`/settings/api-keys/${first.id}/revoke`).type('form').send({ _csrf: csrfFrom(list.text) }).expect(303);
    await createApiKey(agent, 'read', 'after a revocation');
  });

  it('"also revoke all API keys" on a password reset revokes every key of the account', async () => {
    const email = 'revoke-all@example.com';
    const agent = t.agent();
    await signUp(agent, { name: 'Revoker', email, password: 'before-reset' });
    const keys = [await createApiKey(agent, 'read', 'a'), await createApiKey(agent, 'write', 'b')];
    for (const k of keys) await new ApiClient(t, k).get('/api/me').expect(200);

    await submitForm(t.agent(), '/forgot-password', '/forgot-password', { email }).then((r) => expect(r.status).toBe(200));
    const mail = await waitFor(() => smtp.messages.find((m) => m.to.includes(email) && m.subject === 'Reset your DevHub password'), 'reset mail');
    const link = new URL(/(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(mail.text)![1]);
    const form = await t.agent().get(`${link.pathname}${link.search}`).expect(200);
    expect(form.text).toContain('name="revokeApiKeys"');
    const reset = t.agent();
    const again = await reset.get(`${link.pathname}${link.search}`).expect(200);
    await reset.post('/reset-password').type('form').send({ _csrf: csrfFrom(again.text), token: link.searchParams.get('token'), password: 'after-reset', revokeApiKeys: 'on' }).expect(303);
    for (const k of keys) await new ApiClient(t, k).get('/api/me').expect(401);
    expect((await reset.get('/login').expect(200)).text).toContain('every API key revoked');
  });
});
