import { Clock } from '../../src/common/clock';
import { Responder, startWebhookReceiver, WebhookReceiver } from '../fakes/webhook-receiver';
import { ApiClient, createApiKey } from './api';
import { Browser, FormFields, sql } from './crm';
import { htmlDecode, startTestApp, TestApp } from './test-app';

/** What the webhook e2e files start with: a receiver on loopback, the app, an owner and their write key. */
export interface WebhookWorld {
  t: TestApp;
  receiver: WebhookReceiver;
  owner: Browser;
  api: ApiClient;
}

export interface WebhookWorldOptions {
  ownerName: string;
  /** the test's clock, shared by the receiver (timestamp checks) and the app (see fakeClock) */
  now: () => number;
  /** how the receiver answers (default: 200 ok) */
  respond?: Responder;
  /** more environment for the app; WEBHOOK_ALLOW_PRIVATE is on so it may deliver to loopback */
  env?: Record<string, string>;
}

export async function startWebhookWorld({ ownerName, now, respond, env }: WebhookWorldOptions): Promise<WebhookWorld> {
  const receiver = await startWebhookReceiver(respond, { now });
  const t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', ...env });
  const owner = await Browser.signUp(t, ownerName);
  const api = new ApiClient(t, await createApiKey(owner.agent, 'write'));
  return { t, receiver, owner, api };
}

/** Moves the app's Clock to the test's `now` (undone by jest.restoreAllMocks). */
export function fakeClock(t: TestApp, now: () => number) {
  return jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now()));
}

/**
 * After each test: every request the receiver got must verify, whatever the test looked at; and
 * endpoints of one test must not receive the next test's events.
 */
export async function endWebhookTest({ t, receiver }: Pick<WebhookWorld, 't' | 'receiver'>): Promise<void> {
  receiver.verifyAll();
  jest.restoreAllMocks();
  await sql(t, 'UPDATE webhook_endpoints SET enabled = ?', [false]);
}

export async function stopWebhookWorld({ t, receiver }: Partial<Pick<WebhookWorld, 't' | 'receiver'>>): Promise<void> {
  await t?.drop();
  await receiver?.close();
}

/**
 * Adds an endpoint at `receiver.url + path` through the settings form, reads its id and the
 * secret shown once off the page, and tells the receiver which secret that path's requests carry.
 */
export async function createEndpoint(owner: Browser, receiver: WebhookReceiver, path: string, fields: FormFields): Promise<{ id: string; secret: string; page: string }> {
  const created = await owner.post('/settings/webhooks', { url: `${receiver.url}${path}`, ...fields });
  if (created.status !== 303) throw new Error(`endpoint not created (${created.status}): ${created.text.slice(0, 300)}`);
  // post/redirect/get: the endpoint's page shows the secret once
  const res = await owner.get(created.headers.location).expect(200);
  const id = /action="\/settings\/webhooks\/([0-9a-f-]{36})\/test"/.exec(res.text)![1];
  const secret = htmlDecode(/<code class="key-value"[^>]*>(whsec_[^<]+)<\/code>/.exec(res.text)![1]);
  receiver.expectSignedWith(path, secret);
  return { id, secret, page: res.text };
}
