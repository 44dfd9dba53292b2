import { CadenceService } from '../../src/contacts/cadence.service';
import { OutboxService } from '../../src/outbox/outbox.service';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient } from '../support/api';
import { Browser, FormFields, sql } from '../support/crm';
import { htmlDecode, TestApp } from '../support/test-app';
import { createEndpoint, endWebhookTest, fakeClock, startWebhookWorld, stopWebhookWorld } from '../support/webhooks';

/**
 * Deliveries as a receiver sees them: the contract's headers and body, signatures that the
 * standardwebhooks package verifies (every delivery, in afterEach), event filters and wildcards,
 * both signatures during a secret rotation, and nothing sent for a change that rolled back.
 */
describe('webhooks: delivery and signatures', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let owner: Browser;
  let api: ApiClient;
  let now = Date.now();

  const drain = () => t.app.get(WebhookDispatcher).drain();

  async function addEndpoint(path: string, fields: FormFields = {}): Promise<{ id: string; secret: string; page: string }> {
    return createEndpoint(owner, receiver, path, { allEvents: 'true', ...fields });
  }

  /** Creates a contact, edits it, logs an interaction, adds and completes a follow-up, deletes the contact. */
  async function everyKindOfChange(name: string) {
    const contact = await api.post('/api/contacts', { name, email: `${name.split(' ')[0].toLowerCase()}@example.com`, company: 'Analytical Engines' }).expect(201);
    await api.patch(`/api/contacts/${contact.body.id}`, { title: 'Mathematician' }).expect(200);
    await api.post(`/api/contacts/${contact.body.id}/interactions`, { type: 'call', summary: 'Talked about notes on the engine', occurredAt: '2026-01-10T10:00:00Z' }).expect(201);
    const fu = await api.post('/api/follow-ups', { contactId: contact.body.id, dueAt: '2026-02-01T09:00:00Z', note: 'Send the translation' }).expect(201);
    await api.patch(`/api/follow-ups/${fu.body.id}`, { status: 'done' }).expect(200);
    await api.delete(`/api/contacts/${contact.body.id}`).expect(204);
    return contact.body as { id: string; name: string };
  }

  const typesAt = (path: string) => receiver.hits(path).map((h) => JSON.parse(h.body).type as string);

  beforeAll(async () => {
    ({ t, receiver, owner, api } = await startWebhookWorld({ ownerName: 'Hook Owner', now: () => now }));
  });
  beforeEach(() => {
    now = Date.now();
    fakeClock(t, () => now);
  });
  afterEach(() => endWebhookTest({ t, receiver }));
  afterAll(() => stopWebhookWorld({ t, receiver }));

  it('POSTs the contract body with webhook-id, webhook-timestamp and a v1 signature that standardwebhooks verifies', async () => {
    const { secret } = await addEndpoint('/all');
    const contact = await everyKindOfChange('Ada Lovelace');
    await drain();

    const hits = receiver.hits('/all');
    expect(typesAt('/all')).toEqual(expect.arrayContaining(['contact.created', 'contact.updated', 'interaction.created', 'followup.created', 'followup.completed', 'contact.deleted']));
    const ids = new Set<string>();
    for (const hit of hits) {
      expect(hit.headers['content-type']).toBe('application/json');
      expect(hit.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(hit.headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
      expect(hit.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      ids.add(String(hit.headers['webhook-id']));
      const payload = verifyWebhook(hit, [secret]);
      expect(Object.keys(payload).sort()).toEqual(['data', 'timestamp', 'type']);
      expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp);
    }
    expect(ids.size).toBe(hits.length); // one id per event
    const created = verifyWebhook(hits.find((h) => JSON.parse(h.body).type === 'contact.created')!, [secret]);
    expect(created.data).toMatchObject({ id: contact.id, name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' });
    expect(created.data).not.toHaveProperty('userId');

    // a tampered body, or the wrong secret, does not verify
    const tampered = { ...hits[0], body: hits[0].body.replace('"type"', '"typ\\u0065"') };
    expect(() => verifyWebhook(tampered, [secret])).toThrow(/does not verify/);
    expect(() => verifyWebhook(hits[0], [`whsec_${Buffer.alloc(32, 7).toString('base64')}`])).toThrow(/does not verify/);

    // everything was delivered once: a second drain sends nothing
    const before = receiver.received.length;
    await drain();
    expect(receiver.received.length).toBe(before);
    const [{ n }] = await sql<{ n: number | string }>(t, "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status <> 'succeeded'");
    expect(Number(n)).toBe(0);
  });

  it('sends each endpoint only the event types it subscribes to, wildcards included', async () => {
    await addEndpoint('/only-created', { allEvents: 'false', events: 'contact.created' });
    const star = await addEndpoint('/contact-star', { allEvents: 'false', customEvents: 'contact.*' });
    await addEndpoint('/mixed', { allEvents: 'false', events: ['interaction.created'], customEvents: 'followup.*' });
    await addEndpoint('/everything', { allEvents: 'true', events: 'contact.created' });
    const off = await addEndpoint('/turned-off');
    await owner.post(`/settings/webhooks/${off.id}/enable`, { enabled: 'false' }).expect(303);

    await everyKindOfChange('Grace Hopper');
    await drain();

    expect(typesAt('/only-created')).toEqual(['contact.created']);
    expect(new Set(typesAt('/contact-star'))).toEqual(new Set(['contact.created', 'contact.updated', 'contact.deleted']));
    expect(new Set(typesAt('/mixed'))).toEqual(new Set(['interaction.created', 'followup.created', 'followup.completed']));
    const all = typesAt('/everything');
    expect(new Set(all)).toEqual(new Set([...typesAt('/contact-star'), ...typesAt('/mixed')]));
    expect(all.length).toBe(typesAt('/contact-star').length + typesAt('/mixed').length);
    expect(receiver.hits('/turned-off')).toHaveLength(0);

    const page = await owner.get(`/settings/webhooks/${star.id}`).expect(200);
    expect(page.text).toContain('<code>contact.*</code>');
  });

  it('refuses unknown event types and wildcards that match nothing, keeping the input', async () => {
    for (const custom of ['contact.exploded', 'nope.*', 'contact', '*.created']) {
      const res = await owner.post('/settings/webhooks', { url: `${receiver.url}/x`, allEvents: 'false', customEvents: custom });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/Unknown event type/);
      expect(res.text).toContain(`value="${receiver.url}/x"`);
    }
    const [{ n }] = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM webhook_endpoints WHERE url = ?', [`${receiver.url}/x`]);
    expect(Number(n)).toBe(0);
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one only', async () => {
    const { id, secret: oldSecret } = await addEndpoint('/rotating', { allEvents: 'false', events: 'contact.created' });
    const rotated = await owner.post(`/settings/webhooks/${id}/rotate`).expect(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const newSecret = htmlDecode(/<code class="key-value"[^>]*>(whsec_[^<]+)<\/code>/.exec(rotated.text)![1]);
    expect(newSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(newSecret.slice(6), 'base64')).toHaveLength(32);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.text).toContain('rotating secret');
    receiver.expectSignedWith('/rotating', newSecret);

    await api.post('/api/contacts', { name: 'Rotation One' }).expect(201);
    await drain();
    const [during] = receiver.hits('/rotating');
    const signatures = String(during.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    // each signature verifies on its own: the first with the new secret, the second with the old
    expect(verifyWebhook(during, [newSecret], signatures[0]).type).toBe('contact.created');
    expect(verifyWebhook(during, [oldSecret], signatures[1]).type).toBe('contact.created');
    expect(() => verifyWebhook(during, [oldSecret], signatures[0])).toThrow();
    // and a receiver still on the old secret accepts the whole header
    expect(verifyWebhook(during, [oldSecret]).type).toBe('contact.created');

    now += 24 * 3600_000 + 60_000;
    await api.post('/api/contacts', { name: 'Rotation Two' }).expect(201);
    await drain();
    const after = receiver.hits('/rotating')[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifyWebhook(after, [newSecret]).data).toMatchObject({ name: 'Rotation Two' });
    expect(() => verifyWebhook(after, [oldSecret])).toThrow(/does not verify/);
    const page = await owner.get(`/settings/webhooks/${id}`).expect(200);
    expect(page.text).not.toContain('rotating secret');
  });

  it('sends nothing for a change whose transaction rolled back after the event was written', async () => {
    await addEndpoint('/rollback');
    const record = jest.spyOn(t.app.get(OutboxService), 'record');
    // the cadence step runs after the outbox write, inside the same transaction
    jest.spyOn(t.app.get(CadenceService), 'sync').mockRejectedValueOnce(new Error('disk on fire'));
    const [{ n: outboxBefore }] = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM outbox_events');

    const res = await api.post('/api/contacts', { name: 'Never Was' });
    expect(res.status).toBe(500);
    expect(record).toHaveBeenCalledWith(expect.anything(), expect.any(String), 'contact.created', expect.objectContaining({ name: 'Never Was' }));

    await drain();
    expect(receiver.hits('/rollback')).toHaveLength(0);
    const [{ n: outboxAfter }] = await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM outbox_events');
    expect(Number(outboxAfter)).toBe(Number(outboxBefore));
    expect(await sql(t, 'SELECT id FROM contacts WHERE name = ?', ['Never Was'])).toHaveLength(0);

    // the same change, committed, is delivered
    await api.post('/api/contacts', { name: 'Did Happen' }).expect(201);
    await drain();
    expect(receiver.hits('/rollback').map((h) => JSON.parse(h.body).data.name)).toEqual(['Did Happen']);
  });
});
