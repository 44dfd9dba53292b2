import { LessThan } from 'typeorm';
import { OutboxEvent } from '../../src/outbox/outbox-event.entity';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { WebhookDelivery } from '../../src/webhooks/webhook.entity';
import { Answer, ReceivedWebhook, verifyWebhook, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient } from '../support/api';
import { Browser, FormFields, sql } from '../support/crm';
import { htmlDecode, TestApp } from '../support/test-app';
import { createEndpoint, endWebhookTest, fakeClock, startWebhookWorld, stopWebhookWorld } from '../support/webhooks';

const DAY = 86_400_000;

/** The endpoint page: "Send test event", the delivery log with its filters, resend, and the 30-day retention. */
describe('webhooks: test events, delivery log, resend, retention', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let owner: Browser;
  let api: ApiClient;
  let now = Date.now();
  const answers = new Map<string, (req: ReceivedWebhook) => Answer>();

  const drain = () => t.app.get(WebhookDispatcher).drain();

  async function addEndpoint(path: string, answer: (req: ReceivedWebhook) => Answer = () => ({ status: 200, body: 'ok' }), fields: FormFields = {}) {
    answers.set(path, answer);
    const { id, secret } = await createEndpoint(owner, receiver, path, { allEvents: 'false', events: 'contact.created', ...fields });
    return { id, secret };
  }

  /** The number in the "Delivery log" heading. */
  const logTotal = (html: string) => Number(/Delivery log <span class="count-pill">(\d+)<\/span>/.exec(html)![1]);
  const resendActions = (html: string) => [...html.matchAll(/action="(\/settings\/webhooks\/[0-9a-f-]{36}\/deliveries\/([0-9a-f-]{36})\/resend)"/g)].map((m) => ({ action: m[1], deliveryId: m[2] }));
  const byName = (req: ReceivedWebhook) => String(JSON.parse(req.body).data.name ?? '');

  beforeAll(async () => {
    ({ t, receiver, owner, api } = await startWebhookWorld({
      ownerName: 'Log Owner',
      now: () => now,
      respond: (req) => answers.get(req.path)?.(req) ?? { status: 200, body: 'ok' },
    }));
  });
  beforeEach(() => {
    now = Date.now();
    fakeClock(t, () => now);
  });
  afterEach(() => endWebhookTest({ t, receiver }));
  afterAll(() => stopWebhookWorld({ t, receiver }));

  it('"Send test event" delivers webhook.test at once and shows the outcome on the page', async () => {
    const ok = await addEndpoint('/test-ok', () => ({ status: 202, body: 'accepted' }));
    const page = await owner.post(`/settings/webhooks/${ok.id}/test`).expect(200);
    expect(page.text).toContain('Test event delivered: HTTP 202.');
    const [hit] = receiver.hits('/test-ok');
    const payload = verifyWebhook(hit, [ok.secret]);
    expect(payload.type).toBe('webhook.test');
    expect(payload.data).toMatchObject({ endpointId: ok.id });
    // the attempt is in the log shown on the same page
    expect(logTotal(page.text)).toBe(1);
    expect(page.text).toContain('<code>webhook.test</code>');
    expect(page.text).toContain(String(hit.headers['webhook-id']));

    const bad = await addEndpoint('/test-bad', () => ({ status: 500, body: 'nope' }));
    const failed = await owner.post(`/settings/webhooks/${bad.id}/test`).expect(200);
    expect(htmlDecode(failed.text)).toContain('Test event failed: HTTP 500 (DevHub will retry).');

    await owner.post(`/settings/webhooks/${bad.id}/enable`, { enabled: 'false' }).expect(303);
    const off = await owner.post(`/settings/webhooks/${bad.id}/test`).expect(200);
    expect(off.text).toContain('Test event failed: Turn the endpoint on first');
    expect(receiver.hits('/test-bad')).toHaveLength(1);
  });

  it('logs time, event, attempt, status code, duration, the first 1 KB of the answer and the error', async () => {
    const long = 'x'.repeat(1000) + 'END-OF-FIRST-KB' + 'y'.repeat(3000);
    const ep = await addEndpoint('/chatty', (req) => (byName(req) === 'Talkative' ? { status: 200, body: long } : { status: 418, body: "I'm a teapot" }));
    await api.post('/api/contacts', { name: 'Talkative' }).expect(201);
    await api.post('/api/contacts', { name: 'Teapot' }).expect(201);
    await drain();
    const rows = await sql<{ response_body: string; status_code: number; duration_ms: number; error: string | null; attempt: number }>(t, 'SELECT * FROM webhook_attempts WHERE endpoint_id = ? ORDER BY status_code', [ep.id]);
    expect(rows.map((r) => [r.status_code, r.attempt, r.error])).toEqual([
      [200, 1, null],
      [418, 1, 'HTTP 418'],
    ]);
    expect(rows[0].response_body).toBe(long.slice(0, 1024));
    expect(rows[0].duration_ms).toBeGreaterThanOrEqual(0);

    const page = await owner.get(`/settings/webhooks/${ep.id}`).expect(200);
    const html = htmlDecode(page.text);
    expect(html).toContain(long.slice(0, 1024));
    expect(html).not.toContain(long.slice(0, 1025));
    expect(html).toContain("I'm a teapot");
    expect(html).toContain('HTTP 418');
    expect(page.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    expect(page.text).toMatch(/\d+ ms<\/td>/);
    expect(page.text).toContain('<code>contact.created</code>');
  });

  it('filters the log by outcome', async () => {
    const ep = await addEndpoint('/mixed-log', (req) => (byName(req).startsWith('good') ? { status: 200 } : { status: 503 }));
    for (const name of ['good one', 'good two', 'bad one']) await api.post('/api/contacts', { name }).expect(201);
    await drain();
    const total = async (status?: string) => logTotal((await owner.get(`/settings/webhooks/${ep.id}${status ? `?status=${status}` : ''}`).expect(200)).text);
    expect(await total()).toBe(3);
    expect(await total('succeeded')).toBe(2);
    expect(await total('failed')).toBe(1);
    expect(await total('pending')).toBe(1); // the failed attempt's delivery will be retried
    expect(await total('bogus')).toBe(3);
    const failedPage = await owner.get(`/settings/webhooks/${ep.id}?status=failed`).expect(200);
    expect(failedPage.text).toContain('aria-current="true">failed</a>');
    const badId = receiver.hits('/mixed-log').find((h) => byName(h) === 'bad one')!.headers['webhook-id'];
    expect(failedPage.text).toContain(String(badId));
    for (const good of receiver.hits('/mixed-log').filter((h) => byName(h).startsWith('good'))) expect(failedPage.text).not.toContain(String(good.headers['webhook-id']));

    now += 40_000; // the retry succeeds this time
    answers.set('/mixed-log', () => ({ status: 200 }));
    await drain();
    expect(await total('pending')).toBe(0);
    expect(await total('succeeded')).toBe(3);
    expect(await total('failed')).toBe(1);
  });

  it('resends any delivery with the same webhook-id and body', async () => {
    const ep = await addEndpoint('/resend');
    await api.post('/api/contacts', { name: 'Say It Again' }).expect(201);
    await drain();
    const page = await owner.get(`/settings/webhooks/${ep.id}`).expect(200);
    const [{ action }] = resendActions(page.text);
    now += 3600_000;
    const res = await owner.post(action).expect(303);
    expect(res.headers.location).toBe(`/settings/webhooks/${ep.id}`);
    const flashPage = await owner.get(res.headers.location).expect(200);
    expect(flashPage.text).toContain('Resent: HTTP 200.');

    const [first, again] = receiver.hits('/resend');
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(again.body).toBe(first.body);
    expect(Number(again.headers['webhook-timestamp']) - Number(first.headers['webhook-timestamp'])).toBe(3600);
    expect(verifyWebhook(again, [ep.secret]).data).toMatchObject({ name: 'Say It Again' });
    expect(logTotal(flashPage.text)).toBe(2);

    // a failed delivery can be resent too
    answers.set('/resend', () => ({ status: 500 }));
    await api.post('/api/contacts', { name: 'Broken Then Fixed' }).expect(201);
    await drain();
    answers.set('/resend', () => ({ status: 200 }));
    const failedPage = await owner.get(`/settings/webhooks/${ep.id}?status=failed`).expect(200);
    const [failed] = resendActions(failedPage.text);
    await owner.post(failed.action).expect(303);
    const hits = receiver.hits('/resend').filter((h) => byName(h) === 'Broken Then Fixed');
    expect(hits).toHaveLength(2);
    expect(hits[1].headers['webhook-id']).toBe(hits[0].headers['webhook-id']);
  });

  it('purgeOldLogs removes finished deliveries older than 30 days with their attempts, and keeps the rest', async () => {
    const ep = await addEndpoint('/retention', (req) => (byName(req) === 'Old and stuck' ? { status: 500 } : { status: 200 }));
    const at = now;
    const deliver = async (name: string, daysAgo: number) => {
      now = at - daysAgo * DAY;
      await api.post('/api/contacts', { name }).expect(201);
      await drain();
    };
    await deliver('Old and done', 31);
    await deliver('Old and stuck', 31); // still being retried: kept
    await deliver('Recent', 29);
    now = at;
    const count = async (table: string) => Number((await sql<{ n: number | string }>(t, `SELECT COUNT(*) AS n FROM ${table} WHERE endpoint_id = ?`, [ep.id]))[0].n);
    expect(await count('webhook_deliveries')).toBe(3);
    expect(await count('webhook_attempts')).toBe(4); // the stuck one was retried on day 29

    const oldOutbox = () => t.dataSource.getRepository(OutboxEvent).count({ where: { dispatchedAt: LessThan(new Date(at - 30 * DAY)) } });
    expect(await oldOutbox()).toBe(2);
    // the earlier tests' endpoints are turned off: their copies of these events were kept as skipped, and go too
    const oldSkipped = await t.dataSource.getRepository(WebhookDelivery).count({ where: { status: 'skipped', createdAt: LessThan(new Date(at - 30 * DAY)) } });
    expect(await t.app.get(WebhooksService).purgeOldLogs()).toBe(1 + oldSkipped);
    expect(await oldOutbox()).toBe(0);
    const left = await sql<{ payload: string }>(t, 'SELECT payload FROM webhook_deliveries WHERE endpoint_id = ?', [ep.id]);
    expect(left.map((d) => JSON.parse(d.payload).data.name).sort()).toEqual(['Old and stuck', 'Recent']);
    expect(await count('webhook_attempts')).toBe(3);
    const page = await owner.get(`/settings/webhooks/${ep.id}`).expect(200);
    expect(logTotal(page.text)).toBe(3);
    // idempotent
    expect(await t.app.get(WebhooksService).purgeOldLogs()).toBe(0);
  });
});
