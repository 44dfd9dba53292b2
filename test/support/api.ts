import request from 'supertest';
import { UsersService } from '../../src/auth/users.service';
import type { Plan } from '../../src/auth/user.entity';
import { csrfFrom, signUp, TestApp } from './test-app';

type Agent = ReturnType<TestApp['agent']>;
export type Scope = 'read' | 'write';

/** Creates a key through the settings page, as a user does, and reads it off the page shown once. */
export async function createApiKey(agent: Agent, scope: Scope = 'write', name = `key ${scope}`): Promise<string> {
  const page = await agent.get('/settings/api-keys').expect(200);
  await agent.post('/settings/api-keys').type('form').send({ _csrf: csrfFrom(page.text), name, scope }).expect(303).expect('Location', '/settings/api-keys');
  const res = await agent.get('/settings/api-keys').expect(200);
  const m = /<code class="key-value" id="new-key">(dh_[A-Za-z0-9]+)<\/code>/.exec(res.text);
  if (!m) throw new Error('no key on the page');
  return m[1];
}

/** Revokes a key through the settings page (the list shows each key's prefix). */
export async function revokeApiKey(agent: Agent, key: string): Promise<void> {
  const page = await agent.get('/settings/api-keys').expect(200);
  const m = new RegExp(`<code>${key.slice(0, 10)}…</code>[\\s\\S]*?action="/settings/api-keys/([^"/]+)/revoke"`).exec(page.text);
  if (!m) throw new Error('no revoke button for that key on the page');
  await agent.post(`/settings/api-keys/${m[1]}/revoke`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
}

/** `$1` on PostgreSQL, `?` on SQLite. */
export function param(t: TestApp, n: number): string {
  return t.config.databaseUrl.startsWith('postgres') ? `$${n}` : '?';
}

/** A bearer-key client for /api: `api.get('/api/contacts')` with the key set, and nothing else (no cookies). */
export class ApiClient {
  constructor(
    readonly t: TestApp,
    readonly key: string,
  ) {}

  private with(r: request.Test) {
    return r.set('Authorization', `Bearer ${this.key}`);
  }
  get(path: string) {
    return this.with(request(this.t.app.getHttpServer()).get(path));
  }
  post(path: string, body?: object) {
    const r = this.with(request(this.t.app.getHttpServer()).post(path));
    return body === undefined ? r : r.send(body);
  }
  patch(path: string, body?: object) {
    const r = this.with(request(this.t.app.getHttpServer()).patch(path));
    return body === undefined ? r : r.send(body);
  }
  delete(path: string) {
    return this.with(request(this.t.app.getHttpServer()).delete(path));
  }
}

export interface ApiUser {
  agent: Agent;
  email: string;
  write: ApiClient;
  read: ApiClient;
  userId: string;
}

/** Signs a user up in the dashboard and creates a write key and a read key for them. */
export async function apiUser(t: TestApp, name = 'Api User', email = `api-${Math.random().toString(36).slice(2, 10)}@example.com`): Promise<ApiUser> {
  const agent = t.agent();
  await signUp(agent, { name, email });
  const write = new ApiClient(t, await createApiKey(agent, 'write'));
  const read = new ApiClient(t, await createApiKey(agent, 'read'));
  const me = await write.get('/api/me').expect(200);
  return { agent, email, write, read, userId: me.body.id };
}

export async function setPlan(t: TestApp, userId: string, plan: Plan): Promise<void> {
  await t.app.get(UsersService).setPlan(userId, plan);
}

/** Seeds one contact with an interaction, a follow-up and a tag through the API; returns their ids. */
export async function seedContact(api: ApiClient, name = 'Grace Hopper') {
  const contact = await api.post('/api/contacts', { name, email: `${name.split(' ')[0].toLowerCase()}@example.com`, company: 'Navy' }).expect(201);
  const interaction = await api.post(`/api/contacts/${contact.body.id}/interactions`, { type: 'call', summary: 'Talked compilers', occurredAt: '2026-01-10T10:00:00Z' }).expect(201);
  const followUp = await api.post('/api/follow-ups', { contactId: contact.body.id, dueAt: '2026-02-01T09:00:00Z', note: 'Send the paper' }).expect(201);
  const tagged = await api.post(`/api/contacts/${contact.body.id}/tags`, { tag: 'compilers' }).expect(201);
  return { contactId: contact.body.id as string, interactionId: interaction.body.id as string, followUpId: followUp.body.id as string, tagId: tagged.body.tags[0].id as string };
}

/** The contract's error body, exactly: `{ statusCode, error, message }`. */
export function expectError(res: { status: number; body: unknown }, status: number, message?: RegExp | string) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
  const body = res.body as { statusCode: number; error: string; message: string };
  expect(body.statusCode).toBe(status);
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
  if (message instanceof RegExp) expect(body.message).toMatch(message);
  else if (message) expect(body.message).toContain(message);
}

/** X-RateLimit-Limit / -Remaining / -Reset, as whole numbers; returns them. */
export function rateHeaders(res: { headers: Record<string, string> }) {
  const read = (name: string) => {
    const v = res.headers[name];
    expect(v).toMatch(/^\d+$/);
    return Number(v);
  };
  return { limit: read('x-ratelimit-limit'), remaining: read('x-ratelimit-remaining'), reset: read('x-ratelimit-reset') };
}

/** Well-formed ids that exist nowhere, and ids no route could ever have issued. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';
export const BAD_IDS = ['not-a-uuid', '12345', 'x'.repeat(300), "1' OR '1'='1", 'ünïcödé', '%F0%9F%98%80', '%00', `${MISSING_ID.slice(0, 8)}%00${MISSING_ID.slice(8)}`];
