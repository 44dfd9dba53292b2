import net from 'node:net';
import { OutboxService } from '../../src/outbox/outbox.service';
import { TransactionService } from '../../src/database/transaction.service';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { WEBHOOK_TIMEOUT_MS, WebhookSender } from '../../src/webhooks/webhook-sender';
import { signWebhook } from '../../src/webhooks/signature';
import { Answer, ReceivedWebhook, verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient, createApiKey } from '../support/api';
import { Browser, FormFields, sql } from '../support/crm';
import { startTestApp, TestApp, waitFor } from '../support/test-app';
import { createEndpoint, endWebhookTest, fakeClock, startWebhookWorld, stopWebhookWorld } from '../support/webhooks';

const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_DELAYS: '30s,5m', WEBHOOK_DISABLE_AFTER: '3' };

/**
 * Retries and failures: the same webhook-id with a fresh timestamp on every attempt, the schedule
 * surviving a restart, 410, Retry-After, redirects not followed, the 10-second deadline, auto-disable
 * with an in-app notification, and a dead endpoint not holding up a healthy one. Time moves through
 * the app's Clock; nothing waits for a retry delay.
 */
describe('webhooks: retries and failures', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let owner: Browser;
  let api: ApiClient;
  let now = Date.now();
  /** path → how to answer the n-th request (from 0) to that path */
  const answers = new Map<string, (n: number, req: ReceivedWebhook) => Answer>();

  const drain = () => t.app.get(WebhookDispatcher).drain();

  async function addEndpoint(path: string, answer: (n: number, req: ReceivedWebhook) => Answer, fields: FormFields = {}) {
    answers.set(path, answer);
    const { id, secret } = await createEndpoint(owner, receiver, path, { allEvents: 'false', events: 'contact.created', ...fields });
    return { id, secret };
  }

  const delivery = async (endpointId: string) =>
    (await sql<{ id: string; status: string; attempts: number; next_attempt_at: string | Date | null; message_id: string }>(t, 'SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY created_at', [endpointId]))[0];
  const attempts = (endpointId: string) =>
    sql<{ attempt: number; status_code: number | null; error: string | null; succeeded: boolean | number }>(t, 'SELECT * FROM webhook_attempts WHERE endpoint_id = ? ORDER BY attempt', [endpointId]);
  const endpointRow = async (id: string) => (await sql<{ enabled: boolean | number; disabled_reason: string | null; consecutive_failures: number }>(t, 'SELECT * FROM webhook_endpoints WHERE id = ?', [id]))[0];
  /** a timestamp column as epoch ms (SQLite gives 'YYYY-MM-DD HH:MM:SS.SSS' in UTC, PostgreSQL a Date) */
  const ms = (v: string | Date | null) => (v instanceof Date ? v.getTime() : new Date(`${String(v).replace(' ', 'T')}Z`).getTime());

  beforeAll(async () => {
    ({ t, receiver, owner, api } = await startWebhookWorld({
      ownerName: 'Retry Owner',
      now: () => now,
      respond: (req) => answers.get(req.path)?.(receiver.hits(req.path).length - 1, req) ?? { status: 200, body: 'ok' },
      env: ENV,
    }));
  });
  beforeEach(() => {
    now = Date.now();
    fakeClock(t, () => now);
  });
  afterEach(() => endWebhookTest({ t, receiver }));
  afterAll(() => stopWebhookWorld({ t, receiver }));

  it('retries after WEBHOOK_RETRY_DELAYS with the same webhook-id and a fresh timestamp: fail, fail, succeed', async () => {
    const ep = await addEndpoint('/flaky', (n) => (n < 2 ? { status: 500, body: `boom ${n + 1}` } : { status: 200, body: 'finally' }));
    await api.post('/api/contacts', { name: 'Third Time' }).expect(201);
    const t0 = now;
    await drain();
    expect(receiver.hits('/flaky')).toHaveLength(1);
    let d = await delivery(ep.id);
    expect(d.status).toBe('retrying');
    // 30 s with ±10 % jitter
    expect(ms(d.next_attempt_at) - t0).toBeGreaterThanOrEqual(27_000);
    expect(ms(d.next_attempt_at) - t0).toBeLessThanOrEqual(33_000);

    // not due yet: nothing happens
    now += 20_000;
    await drain();
    expect(receiver.hits('/flaky')).toHaveLength(1);

    now = t0 + 34_000;
    await drain();
    expect(receiver.hits('/flaky')).toHaveLength(2);
    d = await delivery(ep.id);
    expect(d.status).toBe('retrying');
    expect(ms(d.next_attempt_at) - now).toBeGreaterThanOrEqual(270_000);
    expect(ms(d.next_attempt_at) - now).toBeLessThanOrEqual(330_000);

    now += 331_000;
    await drain();
    const hits = receiver.hits('/flaky');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(hits[0].headers['webhook-id']).toBe(d.message_id);
    const stamps = hits.map((h) => Number(h.headers['webhook-timestamp']));
    expect(stamps).toEqual([Math.floor(t0 / 1000), Math.floor((t0 + 34_000) / 1000), Math.floor(now / 1000)]);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    for (const h of hits) expect(verifyWebhook(h, [ep.secret]).data).toMatchObject({ name: 'Third Time' });

    expect((await delivery(ep.id)).status).toBe('succeeded');
    expect((await attempts(ep.id)).map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const page = await owner.get(`/settings/webhooks/${ep.id}`).expect(200);
    expect(page.text).toContain('boom 1');
    expect(page.text).toContain('finally');
  });

  it('gives up after the last delay: attempts = delays + 1', async () => {
    const ep = await addEndpoint('/always-500', () => ({ status: 500 }));
    await api.post('/api/contacts', { name: 'Never Lands' }).expect(201);
    await drain();
    now += 34_000;
    await drain();
    now += 331_000;
    await drain();
    now += 3600_000;
    await drain();
    expect(receiver.hits('/always-500')).toHaveLength(3);
    const d = await delivery(ep.id);
    expect(d.status).toBe('failed');
    expect(d.next_attempt_at).toBeNull();
  });

  it('keeps the retry schedule across a restart: the new app delivers the retry', async () => {
    const ep = await addEndpoint('/restart', (n) => (n === 0 ? { status: 503 } : { status: 204 }));
    await api.post('/api/contacts', { name: 'Survivor' }).expect(201);
    await drain();
    expect(receiver.hits('/restart')).toHaveLength(1);
    jest.restoreAllMocks();
    await t.close();

    t = await startTestApp(ENV, t.db);
    now += 40_000;
    fakeClock(t, () => now);
    await t.app.get(WebhookDispatcher).drain();
    const hits = receiver.hits('/restart');
    expect(hits).toHaveLength(2);
    expect(hits[1].headers['webhook-id']).toBe(hits[0].headers['webhook-id']);
    expect(hits[1].headers['webhook-timestamp']).not.toBe(hits[0].headers['webhook-timestamp']);
    const d = await delivery(ep.id);
    expect(d.status).toBe('succeeded');
    expect(d.attempts).toBe(2);
    // the rest of the file drives the new app
    owner = await Browser.signUp(t, 'Retry Owner After Restart');
    api = new ApiClient(t, await createApiKey(owner.agent, 'write'));
  });

  it('turns the endpoint off at once on 410 Gone and stops sending to it', async () => {
    const ep = await addEndpoint('/gone', () => ({ status: 410, body: 'this hook is gone' }));
    await api.post('/api/contacts', { name: 'Gone One' }).expect(201);
    await drain();
    expect(receiver.hits('/gone')).toHaveLength(1);
    const row = await endpointRow(ep.id);
    expect(Boolean(row.enabled)).toBe(false);
    expect(row.disabled_reason).toMatch(/410/);
    expect((await delivery(ep.id)).status).toBe('failed');

    now += 3600_000;
    await api.post('/api/contacts', { name: 'Gone Two' }).expect(201);
    await drain();
    expect(receiver.hits('/gone')).toHaveLength(1);
    const page = await owner.get(`/settings/webhooks/${ep.id}`).expect(200);
    expect(page.text).toMatch(/410 Gone/);
    expect(page.text).toContain('Turn on');
  });

  it('waits at least as long as Retry-After says (seconds or an HTTP date)', async () => {
    const ep = await addEndpoint('/busy', (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 }));
    await api.post('/api/contacts', { name: 'Patient' }).expect(201);
    const t0 = now;
    await drain();
    const d = await delivery(ep.id);
    expect(d.status).toBe('retrying');
    expect(ms(d.next_attempt_at) - t0).toBeGreaterThanOrEqual(120_000);
    now = t0 + 60_000; // past the 30 s default delay, before Retry-After
    await drain();
    expect(receiver.hits('/busy')).toHaveLength(1);
    now = t0 + 121_000;
    await drain();
    expect(receiver.hits('/busy')).toHaveLength(2);
    expect((await delivery(ep.id)).status).toBe('succeeded');

    const dated = await addEndpoint('/busy-date', (n) => (n === 0 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 600_000).toUTCString() } } : { status: 200 }));
    await api.post('/api/contacts', { name: 'Patient Too' }).expect(201);
    await drain();
    const d2 = await delivery(dated.id);
    expect(ms(d2.next_attempt_at) - now).toBeGreaterThanOrEqual(598_000);
  });

  it('does not follow redirects: 3xx is a failure and the Location is never requested', async () => {
    const connects = jest.spyOn(net.Socket.prototype, 'connect');
    const ep = await addEndpoint('/moved', () => ({ status: 302, headers: { location: `${receiver.url}/elsewhere` } }));
    const meta = await addEndpoint('/to-metadata', () => ({ status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' } }));
    await api.post('/api/contacts', { name: 'Redirected' }).expect(201);
    await drain();
    expect(receiver.hits('/moved')).toHaveLength(1);
    expect(receiver.hits('/to-metadata')).toHaveLength(1);
    expect(receiver.hits('/elsewhere')).toHaveLength(0);
    // every socket the attempts opened went to the receiver
    const targets = connects.mock.calls.map((args) => JSON.stringify(args[0]));
    expect(targets.some((target) => target.includes('169.254.169.254'))).toBe(false);
    for (const id of [ep.id, meta.id]) {
      const [a] = await attempts(id);
      expect(a.status_code).toBeGreaterThanOrEqual(300);
      expect(a.error).toMatch(/Redirect to .* not followed/);
      expect((await delivery(id)).status).toBe('retrying');
    }
  });

  it('gives an attempt 10 seconds by default, counting the whole answer, not just silence', async () => {
    const sender = t.app.get(WebhookSender);
    expect(WEBHOOK_TIMEOUT_MS).toBe(10_000);
    expect(sender.timeoutMs).toBe(10_000);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    answers.set('/hang', () => ({ status: 200, until: gate }));
    answers.set('/trickle', () => ({ status: 200, trickleMs: 20 }));
    // raw sends, signed the way the dispatcher signs, so that the receiver can verify them too
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const signed = (id: string) => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now / 1000)), 'webhook-signature': signWebhook(secret, id, Math.floor(now / 1000), '{}') });
    receiver.expectSignedWith('/hang', secret);
    receiver.expectSignedWith('/trickle', secret);
    const hang = await sender.send(`${receiver.url}/hang`, signed('msg_hang'), '{}', 150);
    expect(hang).toMatchObject({ ok: false, statusCode: null, error: 'No answer within 150 ms' });
    // a receiver that sends headers and then a byte every 20 ms is never idle, and still runs out of time
    const trickle = await sender.send(`${receiver.url}/trickle`, signed('msg_trickle'), '{}', 300);
    expect(trickle).toMatchObject({ ok: false, error: 'No answer within 300 ms' });
    expect(trickle.durationMs).toBeLessThan(5000);

    // through the dispatcher: the attempt is logged as a timeout and retried
    const ep = await addEndpoint('/slowpoke', () => ({ status: 200, until: gate }));
    sender.timeoutMs = 200;
    try {
      await api.post('/api/contacts', { name: 'Too Slow' }).expect(201);
      await drain();
    } finally {
      sender.timeoutMs = WEBHOOK_TIMEOUT_MS;
      release();
    }
    const [a] = await attempts(ep.id);
    expect(a.error).toBe('No answer within 200 ms');
    expect(a.status_code).toBeNull();
    expect((await delivery(ep.id)).status).toBe('retrying');
  });

  it('turns an endpoint off after WEBHOOK_DISABLE_AFTER failed deliveries in a row and tells its owner', async () => {
    // event names decide the answer: "ok" events succeed, the others always fail
    const ep = await addEndpoint('/sick', (_n, req) => (JSON.parse(req.body).data.name.startsWith('ok') ? { status: 200 } : { status: 500, body: 'still broken' }));
    const failFully = async (name: string) => {
      await api.post('/api/contacts', { name }).expect(201);
      await drain();
      now += 34_000;
      await drain();
      now += 331_000;
      await drain();
    };
    await failFully('bad 1');
    await failFully('bad 2');
    expect((await endpointRow(ep.id)).consecutive_failures).toBe(2);
    // a success ends the run
    await api.post('/api/contacts', { name: 'ok 1' }).expect(201);
    await drain();
    expect((await endpointRow(ep.id)).consecutive_failures).toBe(0);
    await failFully('bad 3');
    await failFully('bad 4');
    expect(Boolean((await endpointRow(ep.id)).enabled)).toBe(true);
    await failFully('bad 5');
    const row = await endpointRow(ep.id);
    expect(Boolean(row.enabled)).toBe(false);
    expect(row.disabled_reason).toMatch(/^3 deliveries in a row failed/);

    const page = await owner.get('/notifications').expect(200);
    expect(page.text).toContain('A webhook endpoint was turned off');
    expect(page.text).toContain(`${receiver.url}/sick`);
    expect(page.text).toContain(`/settings/webhooks/${ep.id}`);
    // nothing more goes to it
    const before = receiver.hits('/sick').length;
    await api.post('/api/contacts', { name: 'ok 2' }).expect(201);
    await drain();
    expect(receiver.hits('/sick')).toHaveLength(before);
    // turning it on again starts a new run
    await owner.post(`/settings/webhooks/${ep.id}/enable`, { enabled: 'true' }).expect(303);
    expect(await endpointRow(ep.id)).toMatchObject({ consecutive_failures: 0, disabled_reason: null });
  });

  it("the job's tick starts deliveries without waiting for the receivers' answers", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ep = await addEndpoint('/tick', () => ({ status: 200, until: gate }));
    await api.post('/api/contacts', { name: 'Ticked' }).expect(201);
    const dispatcher = t.app.get(WebhookDispatcher);
    try {
      await dispatcher.tick(); // would never return here if it waited for the held answer
      await waitFor(() => receiver.hits('/tick').length === 1, 'the delivery the tick started');
      expect((await delivery(ep.id)).status).toBe('pending');
    } finally {
      release();
    }
    await dispatcher.whenIdle();
    expect((await delivery(ep.id)).status).toBe('succeeded');
  });

  it('does not let a dead endpoint hold up a healthy one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const dead = await addEndpoint('/dead', () => ({ status: 200, until: gate }), { events: 'contact.updated' });
    const healthy = await addEndpoint('/healthy', () => ({ status: 204 }));
    const userId = await owner.userId();
    const outbox = t.app.get(OutboxService);
    // 300 events for the dead endpoint become due first, then 20 for the healthy one
    await t.app.get(TransactionService).run(async (m) => {
      for (let i = 0; i < 300; i++) await outbox.record(m, userId, 'contact.updated', { id: `dead-${i}`, name: `Dead ${i}` });
    });
    const dispatcher = t.app.get(WebhookDispatcher);
    while ((await dispatcher.fanOut()) > 0);
    now += 1000;
    await t.app.get(TransactionService).run(async (m) => {
      for (let i = 0; i < 20; i++) await outbox.record(m, userId, 'contact.created', { id: `ok-${i}`, name: `Healthy ${i}` });
    });
    while ((await dispatcher.fanOut()) > 0);

    const draining = dispatcher.deliverDue();
    try {
      await waitFor(() => receiver.hits('/healthy').length === 20, 'all 20 deliveries to the healthy endpoint');
      // the dead endpoint holds a few connections, not the pool
      expect(receiver.hits('/dead').length).toBeGreaterThan(0);
      expect(receiver.hits('/dead').length).toBeLessThanOrEqual(8);
    } finally {
      release();
    }
    await draining;
    await dispatcher.drain();
    expect(new Set(receiver.hits('/dead').map((h) => h.headers['webhook-id'])).size).toBe(300);
    const [{ n }] = await sql<{ n: number | string }>(t, "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id IN (?, ?) AND status = 'succeeded'", [dead.id, healthy.id]);
    expect(Number(n)).toBe(320);
  });
});
