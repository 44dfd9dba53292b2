import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { startWebhookReceiver, verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient, createApiKey } from '../support/api';
import { Browser, sql } from '../support/crm';
import { startTestApp, TestApp } from '../support/test-app';
import { createEndpoint } from '../support/webhooks';

/** Two accounts on one instance: endpoints, logs and deliveries never cross; /api/webhooks create, list, delete and validation. */
describe('webhooks: tenant isolation and /api/webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let alice: Browser;
  let bob: Browser;
  let aliceApi: ApiClient;
  let bobApi: ApiClient;
  let aliceEndpoint: { id: string; secret: string };
  let bobEndpoint: { id: string; secret: string };
  let aliceDeliveryId: string;

  const drain = () => t.app.get(WebhookDispatcher).drain();

  async function addEndpoint(b: Browser, path: string) {
    const { id, secret } = await createEndpoint(b, receiver, path, { description: `${path} hook`, allEvents: 'true' });
    return { id, secret };
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    alice = await Browser.signUp(t, 'Alice Owner');
    bob = await Browser.signUp(t, 'Bob Other');
    aliceApi = new ApiClient(t, await createApiKey(alice.agent, 'write'));
    bobApi = new ApiClient(t, await createApiKey(bob.agent, 'write'));
    aliceEndpoint = await addEndpoint(alice, '/alice');
    bobEndpoint = await addEndpoint(bob, '/bob');
    await aliceApi.post('/api/contacts', { name: 'Alice Contact' }).expect(201);
    await bobApi.post('/api/contacts', { name: 'Bob Contact' }).expect(201);
    await drain();
    [{ id: aliceDeliveryId }] = await sql<{ id: string }>(t, 'SELECT id FROM webhook_deliveries WHERE endpoint_id = ?', [aliceEndpoint.id]);
  });
  afterEach(() => receiver.verifyAll());
  afterAll(async () => {
    await t.drop();
    await receiver.close();
  });

  it("delivers each account's events only to its own endpoints", () => {
    expect(receiver.hits('/alice').map((h) => verifyWebhook(h, [aliceEndpoint.secret]).data.name)).toEqual(['Alice Contact']);
    expect(receiver.hits('/bob').map((h) => verifyWebhook(h, [bobEndpoint.secret]).data.name)).toEqual(['Bob Contact']);
  });

  it("answers 404 to every page and action on another account's endpoint, and changes nothing", async () => {
    const a = aliceEndpoint.id;
    const before = await sql(t, 'SELECT * FROM webhook_endpoints WHERE id = ?', [a]);
    const hitsBefore = receiver.received.length;
    await bob.get(`/settings/webhooks/${a}`).expect(404);
    await bob.get(`/settings/webhooks/${a}?status=failed`).expect(404);
    await bob.post(`/settings/webhooks/${a}`, { url: `${receiver.url}/stolen`, allEvents: 'true' }).expect(404);
    await bob.post(`/settings/webhooks/${a}/enable`, { enabled: 'false' }).expect(404);
    await bob.post(`/settings/webhooks/${a}/rotate`).expect(404);
    await bob.post(`/settings/webhooks/${a}/test`).expect(404);
    await bob.post(`/settings/webhooks/${a}/deliveries/${aliceDeliveryId}/resend`).expect(404);
    // Alice's delivery through Bob's own endpoint is not his either
    await bob.post(`/settings/webhooks/${bobEndpoint.id}/deliveries/${aliceDeliveryId}/resend`).expect(404);
    await bob.post(`/settings/webhooks/${a}/delete`).expect(404);
    // ids that are not ids
    await bob.get('/settings/webhooks/not-a-uuid').expect(404);
    await bob.post(`/settings/webhooks/${bobEndpoint.id}/deliveries/not-a-uuid/resend`).expect(404);

    expect(await sql(t, 'SELECT * FROM webhook_endpoints WHERE id = ?', [a])).toEqual(before);
    expect(receiver.received.length).toBe(hitsBefore);
    // Alice still owns a working endpoint with her secret
    await alice.get(`/settings/webhooks/${a}`).expect(200);
    await alice.post(`/settings/webhooks/${a}/test`).expect(200);
    expect(verifyWebhook(receiver.hits('/alice').at(-1)!, [aliceEndpoint.secret]).type).toBe('webhook.test');
  });

  it("never shows another account's endpoints or deliveries", async () => {
    const aliceMessage = String(receiver.hits('/alice')[0].headers['webhook-id']);
    const bobList = await bob.get('/settings/webhooks').expect(200);
    expect(bobList.text).toContain(`${receiver.url}/bob`);
    expect(bobList.text).not.toContain(`${receiver.url}/alice`);
    expect(bobList.text).not.toContain(aliceEndpoint.id);
    const bobLog = await bob.get(`/settings/webhooks/${bobEndpoint.id}`).expect(200);
    expect(bobLog.text).not.toContain(aliceMessage);
    expect(bobLog.text).not.toContain(aliceDeliveryId);
    const aliceLog = await alice.get(`/settings/webhooks/${aliceEndpoint.id}`).expect(200);
    expect(aliceLog.text).toContain(aliceMessage);
  });

  it("keeps /api/webhooks per account: another key can neither list nor delete an endpoint", async () => {
    const bobs = await bobApi.get('/api/webhooks').expect(200);
    expect(bobs.body.data.map((e: { id: string }) => e.id)).toEqual([bobEndpoint.id]);
    expect(bobs.body.total).toBe(1);
    const res = await bobApi.delete(`/api/webhooks/${aliceEndpoint.id}`).expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    await bobApi.delete('/api/webhooks/not-a-uuid').expect(404);
    const alices = await aliceApi.get('/api/webhooks').expect(200);
    expect(alices.body.data.map((e: { id: string }) => e.id)).toEqual([aliceEndpoint.id]);
  });

  it('creates an endpoint over the API with its secret shown once, lists without secrets, deletes', async () => {
    const created = await aliceApi.post('/api/webhooks', { url: `${receiver.url}/api-made`, events: ['contact.*', 'followup.completed'], description: 'from the API' }).expect(201);
    expect(created.body).toMatchObject({ url: `${receiver.url}/api-made`, events: ['contact.*', 'followup.completed'], description: 'from the API', enabled: true, rotating: false });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
    receiver.expectSignedWith('/api-made', created.body.secret);

    // stored encrypted, never in plain text
    const [row] = await sql<{ secret_encrypted: string }>(t, 'SELECT secret_encrypted FROM webhook_endpoints WHERE id = ?', [created.body.id]);
    expect(row.secret_encrypted).toMatch(/^v1:/);
    expect(row.secret_encrypted).not.toContain(created.body.secret.slice(6));

    const list = await aliceApi.get('/api/webhooks').expect(200);
    expect(list.body).toMatchObject({ total: 2, limit: 20, offset: 0 });
    const second = await aliceApi.get('/api/webhooks?limit=1&offset=1').expect(200);
    expect(second.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).toBe(list.body.data[1].id);
    await aliceApi.get('/api/webhooks?limit=101').expect(400);
    const listed = list.body.data.find((e: { id: string }) => e.id === created.body.id);
    const { secret: _shownOnce, ...withoutSecret } = created.body;
    expect(listed).toEqual(withoutSecret);
    expect(JSON.stringify(list.body)).not.toMatch(/whsec_|v1:|secret_?[Ee]ncrypted/);
    const page = await alice.get(`/settings/webhooks/${created.body.id}`).expect(200);
    expect(page.text).not.toContain(created.body.secret);

    // the secret from the API verifies a real delivery
    await aliceApi.post('/api/contacts', { name: 'Api Hooked' }).expect(201);
    await drain();
    expect(verifyWebhook(receiver.hits('/api-made')[0], [created.body.secret]).data).toMatchObject({ name: 'Api Hooked' });

    await aliceApi.delete(`/api/webhooks/${created.body.id}`).expect(204);
    await aliceApi.delete(`/api/webhooks/${created.body.id}`).expect(404);
    expect((await aliceApi.get('/api/webhooks').expect(200)).body.total).toBe(1);
    expect(await sql(t, 'SELECT id FROM webhook_deliveries WHERE endpoint_id = ?', [created.body.id])).toHaveLength(0);
  });

  it.each([
    ['no url', {}],
    ['url not a string', { url: 123 }],
    ['not a URL', { url: 'hooks example com' }],
    ['not http(s)', { url: 'ftp://example.com/hook' }],
    ['credentials in the URL', { url: 'https://user:pass@example.com/hook' }],
    ['events not a list', { url: 'https://example.com/hook', events: 'contact.created' }],
    ['events not strings', { url: 'https://example.com/hook', events: [42] }],
    ['unknown event', { url: 'https://example.com/hook', events: ['contact.exploded'] }],
    ['wildcard of nothing', { url: 'https://example.com/hook', events: ['nope.*'] }],
    ['too many events', { url: 'https://example.com/hook', events: Array.from({ length: 51 }, () => 'contact.created') }],
    ['description too long', { url: 'https://example.com/hook', description: 'd'.repeat(201) }],
    ['unknown field', { url: 'https://example.com/hook', secret: 'whsec_bXlvd25zZWNyZXRteW93bnNlY3JldG15b3duc2VjcmV0MTI=' }],
  ])('answers 400 to a create with %s', async (_what, body) => {
    const before = Number((await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM webhook_endpoints'))[0].n);
    const res = await aliceApi.post('/api/webhooks', body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(Number((await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM webhook_endpoints'))[0].n)).toBe(before);
  });

  it('needs a write key to create or delete, and a key at all to list', async () => {
    const read = new ApiClient(t, await createApiKey(alice.agent, 'read', 'read only'));
    await read.get('/api/webhooks').expect(200);
    await read.post('/api/webhooks', { url: `${receiver.url}/x` }).expect(403);
    await read.delete(`/api/webhooks/${aliceEndpoint.id}`).expect(403);
    await new ApiClient(t, 'dh_not_a_real_key_at_all_0000000000000').get('/api/webhooks').expect(401);
  });
});
