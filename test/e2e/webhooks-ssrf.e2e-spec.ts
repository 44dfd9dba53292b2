import type { LookupAddress } from 'node:dns';
import net from 'node:net';
import { APP_CONFIG } from '../../src/config/config.module';
import type { AppConfig } from '../../src/config/config.schema';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { WEBHOOK_RESOLVER, WebhookResolver } from '../../src/webhooks/webhook-sender';
import { startWebhookReceiver, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient, createApiKey } from '../support/api';
import { Browser, sql } from '../support/crm';
import { htmlDecode, startTestApp, TestApp } from '../support/test-app';

/**
 * SSRF with WEBHOOK_ALLOW_PRIVATE=false (the default). Names are answered by a fake resolver (the
 * WEBHOOK_RESOLVER provider, spied on like the Clock); every refused target must see no socket at all.
 */
describe('webhooks: SSRF protection', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let owner: Browser;
  let api: ApiClient;
  let config: AppConfig;
  /** what the fake DNS answers: name → addresses (or an error code) */
  const dns = new Map<string, string[] | 'ENOTFOUND'>();

  const drain = () => t.app.get(WebhookDispatcher).drain();

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
    config = t.app.get<AppConfig>(APP_CONFIG);
    owner = await Browser.signUp(t, 'Ssrf Owner');
    api = new ApiClient(t, await createApiKey(owner.agent, 'write'));
  });
  beforeEach(() => {
    dns.clear();
    jest.spyOn(t.app.get<WebhookResolver>(WEBHOOK_RESOLVER), 'resolve').mockImplementation(async (host: string): Promise<LookupAddress[]> => {
      const answer = dns.get(host);
      if (!answer || answer === 'ENOTFOUND') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return answer.map((address) => ({ address, family: net.isIP(address) === 6 ? 6 : 4 }));
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    config.webhookAllowPrivate = false;
    await sql(t, 'UPDATE webhook_endpoints SET enabled = ?', [false]);
  });
  afterAll(async () => {
    await t.drop();
    await receiver.close();
  });

  const endpointCount = async () => Number((await sql<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM webhook_endpoints'))[0].n);

  const refusedAtSave = [
    'http://127.0.0.1/hook',
    'http://127.8.9.10:8080/hook',
    'http://localhost/hook',
    'http://10.0.0.1/hook',
    'http://172.16.0.1/hook',
    'http://172.31.255.254/hook',
    'http://192.168.1.10/hook',
    'http://100.64.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/v2/credentials',
    'http://0.0.0.0/hook',
    'http://224.0.0.1/hook',
    'http://255.255.255.255/hook',
    'http://[::1]/hook',
    'http://[::]/hook',
    'http://[fc00::1]/hook',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[fe80::1]/hook',
    'http://[ff02::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://[::ffff:10.0.0.1]/hook',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://[64:ff9b::a9fe:a9fe]/hook',
    // other spellings of 127.0.0.1 that URL parsers (and so sockets) accept
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://0x7f000001/hook',
    'http://017700000001/hook',
    'http://127.1/hook',
    // names that resolve to private or metadata addresses
    'http://evil.example.test/hook',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://half-evil.example.test/hook',
  ];

  it.each(refusedAtSave)('refuses %s when the endpoint is saved, on the page and in the API', async (url) => {
    dns.set('localhost', ['127.0.0.1', '::1']);
    dns.set('evil.example.test', ['127.0.0.1']);
    dns.set('metadata.google.internal', ['169.254.169.254']);
    dns.set('half-evil.example.test', ['93.184.216.34', '10.1.2.3']); // one bad address is enough
    const before = await endpointCount();
    const page = await owner.post('/settings/webhooks', { url, allEvents: 'true' });
    expect(page.status).toBe(422);
    expect(htmlDecode(page.text)).toMatch(/private or reserved address|is not allowed as a webhook target/);
    const res = await api.post('/api/webhooks', { url, events: ['contact.created'] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^url: .*(private or reserved address|is not allowed as a webhook target)/);
    expect(res.body.message).not.toContain('resolves to');
    expect(await endpointCount()).toBe(before);
  });

  it('accepts a public address, and a name that resolves publicly', async () => {
    dns.set('hooks.example.com', ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
    await api.post('/api/webhooks', { url: 'https://hooks.example.com/devhub', events: [] }).expect(201);
    await api.post('/api/webhooks', { url: 'http://93.184.216.34/devhub' }).expect(201);
    await api.post('/api/webhooks', { url: 'http://[2606:4700:4700::1111]/devhub' }).expect(201);
  });

  /** Saves an endpoint the check would refuse, as if it was saved while allowed (or before DNS changed). */
  async function savedWhileAllowed(url: string, events = ['contact.created']): Promise<string> {
    config.webhookAllowPrivate = true;
    try {
      const res = await api.post('/api/webhooks', { url, events }).expect(201);
      return res.body.id as string;
    } finally {
      config.webhookAllowPrivate = false;
    }
  }

  const lastAttempt = async (endpointId: string) =>
    (await sql<{ error: string | null; status_code: number | null; succeeded: boolean | number }>(t, 'SELECT * FROM webhook_attempts WHERE endpoint_id = ? ORDER BY created_at DESC', [endpointId]))[0];
  const deliveryStatus = async (endpointId: string) => (await sql<{ status: string }>(t, 'SELECT status FROM webhook_deliveries WHERE endpoint_id = ?', [endpointId]))[0]?.status;

  it('checks the address at delivery time: a receiver on 127.0.0.1 sees no connection, whatever the URL spells', async () => {
    const { port } = receiver;
    const urls = [`http://127.0.0.1:${port}/literal`, `http://[::ffff:127.0.0.1]:${port}/mapped`, `http://2130706433:${port}/decimal`, `http://0x7f.1:${port}/hex`, `http://localhost:${port}/name`];
    dns.set('localhost', ['127.0.0.1']);
    const ids: string[] = [];
    for (const url of urls) ids.push(await savedWhileAllowed(url));
    const connects = jest.spyOn(net.Socket.prototype, 'connect');
    const before = receiver.connections;

    await api.post('/api/contacts', { name: 'Loopback Target' }).expect(201);
    connects.mockClear();
    await drain();

    expect(receiver.connections).toBe(before);
    expect(receiver.received).toHaveLength(0);
    expect(connects).not.toHaveBeenCalled();
    for (const id of ids) {
      const a = await lastAttempt(id);
      expect(a.error).toMatch(/is not allowed as a webhook target/);
      expect(a.status_code).toBeNull();
      // refused is final: no retry will try again
      expect(await deliveryStatus(id)).toBe('failed');
    }
    const page = await owner.get(`/settings/webhooks/${ids[0]}?status=failed`).expect(200);
    expect(page.text).toContain('is not allowed as a webhook target.');
    expect(page.text).not.toContain('resolves to');
  });

  it('refuses a name that resolved publicly when saved and privately at delivery (DNS rebinding), with no connection', async () => {
    dns.set('rebind.example.test', ['93.184.216.34']);
    const res = await api.post('/api/webhooks', { url: `http://rebind.example.test:${receiver.port}/rebound`, events: ['contact.created'] }).expect(201);
    dns.set('rebind.example.test', ['127.0.0.1']);
    const before = receiver.connections;
    await api.post('/api/contacts', { name: 'Rebound' }).expect(201);
    await drain();
    expect(receiver.connections).toBe(before);
    // the message says only that the address is not allowed, never what the name resolves to
    expect((await lastAttempt(res.body.id)).error).toBe('The address of rebind.example.test is not allowed as a webhook target.');
  });

  it('refuses when the name cannot be resolved at delivery time (the check cannot be made)', async () => {
    dns.set('flaky-dns.example.test', ['93.184.216.34']);
    const res = await api.post('/api/webhooks', { url: 'http://flaky-dns.example.test/hook', events: ['contact.created'] }).expect(201);
    dns.set('flaky-dns.example.test', 'ENOTFOUND');
    const connects = jest.spyOn(net.Socket.prototype, 'connect');
    await api.post('/api/contacts', { name: 'Unresolvable' }).expect(201);
    connects.mockClear();
    await drain();
    expect(connects).not.toHaveBeenCalled();
    expect((await lastAttempt(res.body.id)).error).toBe('Cannot resolve flaky-dns.example.test: ENOTFOUND');
  });

  it('connects to the address it checked: DNS is asked once and the socket uses that answer', async () => {
    // allowed here so that a loopback receiver can stand in for a public server
    config.webhookAllowPrivate = true;
    dns.set('pinned.example.test', ['127.0.0.1']);
    const res = await api.post('/api/webhooks', { url: `http://pinned.example.test:${receiver.port}/pinned`, events: ['contact.created'] }).expect(201);
    const resolve = t.app.get<WebhookResolver>(WEBHOOK_RESOLVER).resolve as jest.Mock;
    resolve.mockClear();
    await api.post('/api/contacts', { name: 'Pinned' }).expect(201);
    await drain();
    // the system resolver knows nothing of pinned.example.test: the request can only have arrived through the checked address
    expect(receiver.hits('/pinned')).toHaveLength(1);
    expect(receiver.hits('/pinned')[0].headers.host).toBe(`pinned.example.test:${receiver.port}`);
    expect(resolve.mock.calls).toEqual([['pinned.example.test']]);
    expect(await deliveryStatus(res.body.id)).toBe('succeeded');
  });

  it('does not follow a redirect to the metadata address', async () => {
    config.webhookAllowPrivate = true;
    receiver.respondWith(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    try {
      const id = await savedWhileAllowed(`http://127.0.0.1:${receiver.port}/redirector`);
      config.webhookAllowPrivate = true;
      const connects = jest.spyOn(net.Socket.prototype, 'connect');
      await api.post('/api/contacts', { name: 'Redirect Me' }).expect(201);
      await drain();
      expect(receiver.hits('/redirector')).toHaveLength(1);
      expect(connects.mock.calls.map((c) => JSON.stringify(c[0])).filter((s) => s.includes('169.254'))).toEqual([]);
      const a = await lastAttempt(id);
      expect(a.status_code).toBe(302);
      expect(a.error).toBe('Redirect to http://169.254.169.254/latest/meta-data/ not followed');
    } finally {
      receiver.respondWith(() => ({ status: 200, body: 'ok' }));
    }
  });
});
