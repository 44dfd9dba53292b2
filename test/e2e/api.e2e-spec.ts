import { signUp, startTestApp, TestApp } from '../support/test-app';
import { createApiKey } from '../support/api';

describe('REST API smoke', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    const agent = t.agent();
    await signUp(agent, { name: 'Api User', email: 'api@example.com' });
    key = await createApiKey(agent);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates and lists contacts with rate-limit headers', async () => {
    const created = await t.agent().post('/api/contacts').set('Authorization', `Bearer ${key}`).send({ name: 'Api Contact', email: 'x@y.example' }).expect(201);
    expect(created.body).toMatchObject({ name: 'Api Contact', email: 'x@y.example', tags: [] });
    const list = await t.agent().get('/api/contacts').set('Authorization', `Bearer ${key}`).expect(200);
    expect(list.body).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect(list.headers['x-ratelimit-limit']).toBe('100');
    expect(Number(list.headers['x-ratelimit-remaining'])).toBe(98);
    const unknown = await t.agent().post('/api/contacts').set('Authorization', `Bearer ${key}`).send({ name: 'X', favouriteColour: 'blue' }).expect(400);
    expect(unknown.body.message).toContain('favouriteColour');
    await t.agent().get('/api/contacts').expect(401);
    const doc = await t.agent().get('/api/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/contacts', '/api/contacts/{id}', '/api/me']));
    const me = await t.agent().get('/api/me').set('Authorization', `Bearer ${key}`).expect(200);
    expect(me.body).toMatchObject({ email: 'api@example.com', plan: 'free', rateLimit: { limit: 100 } });
  });
});
