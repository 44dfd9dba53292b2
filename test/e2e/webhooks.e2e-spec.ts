import { Webhook } from 'standardwebhooks';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { startWebhookReceiver } from '../fakes/webhook-receiver';
import { csrfFrom, htmlDecode, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

describe('webhooks smoke', () => {
  let t: TestApp;
  let agent: Agent;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    agent = t.agent();
    await signUp(agent, { name: 'Hook Owner', email: 'hooks@example.com' });
  });
  afterAll(async () => {
    await t.drop();
    await receiver.close();
  });

  it('delivers a signed contact.created that a Standard Webhooks library verifies', async () => {
    const posted = await submitForm(agent, '/settings/webhooks', '/settings/webhooks', { url: `${receiver.url}/hook`, allEvents: 'true' });
    expect(posted.status).toBe(303);
    const created = await agent.get(posted.headers.location).expect(200);
    const secret = htmlDecode(/<code class="key-value"[^>]*>(whsec_[^<]+)<\/code>/.exec(created.text)![1]);
    await submitForm(agent, '/contacts/new', '/contacts', { name: 'Webhook Person' });
    await t.app.get(WebhookDispatcher).drain();
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    const verified = new Webhook(secret).verify(hit.body, {
      'webhook-id': String(hit.headers['webhook-id']),
      'webhook-timestamp': String(hit.headers['webhook-timestamp']),
      'webhook-signature': String(hit.headers['webhook-signature']),
    }) as { type: string; data: { name: string } };
    expect(verified.type).toBe('contact.created');
    expect(verified.data.name).toBe('Webhook Person');
    const page = await agent.get(created.headers['content-location'] ?? '/settings/webhooks').expect(200);
    expect(page.text).toContain('Webhooks');
    csrfFrom(page.text);
  });
});
