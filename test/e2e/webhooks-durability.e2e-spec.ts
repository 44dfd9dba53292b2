import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { LEASE_MS } from '../../src/webhooks/webhook-leases';
import { WebhookDelivery } from '../../src/webhooks/webhook.entity';
import { WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient } from '../support/api';
import { Browser, sql } from '../support/crm';
import { TestApp, waitFor } from '../support/test-app';
import { createEndpoint, endWebhookTest, fakeClock, startWebhookWorld, stopWebhookWorld } from '../support/webhooks';

/**
 * Deliveries survive an endpoint being off (kept as skipped, sent on request) and a dead process
 * (short leases, renewed while a delivery is held).
 */
describe('webhooks: missed events and leases', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let owner: Browser;
  let api: ApiClient;
  let now = Date.now();

  beforeAll(async () => {
    ({ t, receiver, owner, api } = await startWebhookWorld({ ownerName: 'Ada Durable', now: () => now }));
  });
  beforeEach(() => {
    now = Date.now();
    fakeClock(t, () => now);
  });
  afterEach(() => endWebhookTest({ t, receiver }));
  afterAll(() => stopWebhookWorld({ t, receiver }));

  const drain = () => t.app.get(WebhookDispatcher).drain();
  const names = (path: string) => receiver.hits(path).map((h) => JSON.parse(h.body).data.name as string);

  it('keeps events raised while an endpoint is off and sends them when the user asks', async () => {
    const { id } = await createEndpoint(owner, receiver, '/missed', { events: 'contact.created' });
    await api.post('/api/contacts', { name: 'Before Off' }).expect(201);
    await drain();
    expect(names('/missed')).toEqual(['Before Off']);

    await owner.post(`/settings/webhooks/${id}/enable`, { enabled: 'false' }).expect(303);
    for (const name of ['Missed One', 'Missed Two', 'Missed Three']) await api.post('/api/contacts', { name }).expect(201);
    await drain();
    expect(names('/missed')).toEqual(['Before Off']);
    const skipped = await sql<{ n: number | string }>(t, `SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'skipped'`, [id]);
    expect(Number(skipped[0].n)).toBe(3);
    const off = await owner.agent.get(`/settings/webhooks/${id}`).expect(200);
    expect(off.text).toContain('3 events missed while turned off');
    expect(off.text).not.toContain('/send-missed');

    await owner.post(`/settings/webhooks/${id}/enable`, { enabled: 'true' }).expect(303);
    const on = await owner.agent.get(`/settings/webhooks/${id}`).expect(200);
    expect(on.text).toContain('Send the 3 events missed since it was turned off');
    // turning it on sends nothing by itself: the user chooses
    await drain();
    expect(names('/missed')).toEqual(['Before Off']);

    const sent = await owner.post(`/settings/webhooks/${id}/send-missed`).expect(303);
    expect(sent.headers.location).toBe(`/settings/webhooks/${id}`);
    await drain();
    expect(names('/missed').sort()).toEqual(['Before Off', 'Missed One', 'Missed Three', 'Missed Two']);
    const after = await owner.agent.get(`/settings/webhooks/${id}`).expect(200);
    expect(after.text).toContain('Sending the 3 missed events');
    expect(after.text).not.toContain('missed since it was turned off');
  });

  it("refuses another user's endpoint (404) when sending missed events", async () => {
    const { id } = await createEndpoint(owner, receiver, '/theirs', { allEvents: 'true' });
    const other = await Browser.signUp(t, 'Eve Other');
    await other.post(`/settings/webhooks/${id}/send-missed`).expect(404);
  });

  it('picks up deliveries claimed by a process that died once their short lease runs out', async () => {
    await createEndpoint(owner, receiver, '/crash', { events: 'contact.created' });
    await api.post('/api/contacts', { name: 'Claimed By The Dead' }).expect(201);
    await t.app.get(WebhookDispatcher).fanOut();
    // a process claimed it and was killed: the lease is all that is left of it
    await t.dataSource.getRepository(WebhookDelivery).update({ status: 'pending' }, { lockedUntil: new Date(now + LEASE_MS) });
    await drain();
    expect(names('/crash')).toEqual([]);
    now += LEASE_MS + 1000;
    await drain();
    expect(names('/crash')).toEqual(['Claimed By The Dead']);
  });

  it('renews the lease of a delivery while its send is in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    receiver.respondWith(() => ({ status: 200, until: gate }));
    await createEndpoint(owner, receiver, '/slow', { events: 'contact.created' });
    await api.post('/api/contacts', { name: 'Slow Receiver' }).expect(201);
    const dispatcher = t.app.get(WebhookDispatcher);
    const done = dispatcher.drain();
    await waitFor(() => receiver.hits('/slow').length === 1, 'the send to start');
    const lease = async () => new Date((await sql<{ locked_until: string | Date }>(t, `SELECT locked_until FROM webhook_deliveries WHERE status = 'pending'`))[0].locked_until).getTime();
    const first = await lease();
    now += LEASE_MS - 1000;
    expect(await dispatcher.renewLeases()).toBe(1);
    expect(await lease()).toBeGreaterThan(first);
    release();
    await done;
    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
    const rows = await sql<{ status: string }>(t, `SELECT status FROM webhook_deliveries WHERE payload LIKE ? AND status <> 'skipped'`, ['%Slow Receiver%']);
    expect(rows.map((r) => r.status)).toEqual(['succeeded']);
  });
});
