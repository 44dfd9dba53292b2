import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/config.schema';
import { JsonLogger } from '../../src/common/logging/json-logger';

/** Set by `npm run test:pg`: an admin connection used to create one fresh database per test file. */
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL;

export interface TestDatabase {
  url: string;
  dir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: an SQLite file in a temp folder, or a new PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'devhub-test-'));
  if (!PG_ADMIN_URL) {
    return { url: `sqlite:${join(dir, 'devhub.db')}`, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `devhub_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dir,
    drop: async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_SECRETS = {
  SESSION_SECRET: 'test-session-secret-that-is-long-enough-000',
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

export function testConfig(db: TestDatabase, env: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATA_DIR: db.dir,
    DATABASE_URL: db.url,
    BASE_URL: 'http://127.0.0.1:3999',
    // background jobs off: tests drive them by calling the services
    JOBS_ENABLED: 'false',
    ...TEST_SECRETS,
    ...env,
  });
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  baseUrl: string;
  dataSource: DataSource;
  logs: string[];
  agent(): ReturnType<typeof request.agent>;
  /** Closes the app; the database stays (for restart tests) unless `drop` is called. */
  close(): Promise<void>;
  drop(): Promise<void>;
}

export async function startTestApp(env: Record<string, string | undefined> = {}, existingDb?: TestDatabase, extraModules: DynamicModule[] = []): Promise<TestApp> {
  const db = existingDb ?? (await createTestDatabase());
  const config = testConfig(db, env);
  const logs: string[] = [];
  const logger = new JsonLogger(config.logLevel, (line) => logs.push(line));
  const app = await createApp(config, logger, extraModules);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const t: TestApp = {
    app,
    config,
    db,
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataSource: app.get(DataSource),
    logs,
    agent: () => request.agent(app.getHttpServer()),
    close: () => app.close(),
    drop: async () => {
      await app.close().catch(() => undefined);
      await db.drop();
    },
  };
  return t;
}

/** Reads the hidden _csrf value out of a rendered page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return m[1];
}

type Agent = ReturnType<typeof request.agent>;

/** GETs a page, then POSTs a form to `action` with that page's CSRF token. */
export async function submitForm(agent: Agent, pagePath: string, action: string, fields: Record<string, string>) {
  const page = await agent.get(pagePath).expect(200);
  return agent.post(action).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

export async function signUp(agent: Agent, fields: Partial<{ name: string; email: string; password: string }> = {}) {
  const res = await submitForm(agent, '/signup', '/signup', {
    name: fields.name ?? 'Ada Lovelace',
    email: fields.email ?? `ada-${randomUUID().slice(0, 8)}@example.com`,
    password: fields.password ?? 'correct horse battery',
  });
  if (res.status !== 303) throw new Error(`sign-up failed with ${res.status}: ${res.text.slice(0, 500)}`);
  return res;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Undoes Handlebars' HTML escaping of a value read out of a page. */
export function htmlDecode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
