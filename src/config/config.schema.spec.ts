import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseDurations } from './config.schema';

const dir = () => mkdtempSync(join(tmpdir(), 'devhub-config-'));

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const d = dir();
    const c = loadConfig({ DATA_DIR: d });
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(c.databaseUrl).toBe('sqlite:./data/devhub.db');
    expect(c.github).toMatchObject({ enabled: false, oauthUrl: 'https://github.com', apiUrl: 'https://api.github.com' });
    expect(c.openai.model).toBe('gpt-4o-mini');
    expect(c.rateLimitFree).toBe(100);
    expect(c.rateLimitPaid).toBe(1000);
    expect(c.webhookAllowPrivate).toBe(false);
    expect(c.webhookRetryDelaysMs).toEqual([30_000, 300_000]);
    expect(c.jobsEnabled).toBe(true);
    expect(c.trustProxy).toBe(false);
    expect(c.logLevel).toBe('info');
  });

  it('generates the secrets once into the data folder with mode 0600 and reuses them', () => {
    const d = dir();
    const first = loadConfig({ DATA_DIR: d });
    const second = loadConfig({ DATA_DIR: d });
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(first.encryptionKey.length).toBe(32);
    for (const f of ['session-secret', 'encryption-key']) {
      expect(statSync(join(d, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(d, f), 'utf8').trim().length).toBeGreaterThan(30);
    }
  });

  it('requires both secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir() })).toThrow('SESSION_SECRET');
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir(), SESSION_SECRET: 'x'.repeat(40) })).toThrow('ENCRYPTION_KEY');
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be a whole number from 0 to 65535/],
    ['BASE_URL', 'localhost:3000', /BASE_URL must be a URL/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be sqlite:PATH or postgres/],
    ['REDIS_URL', 'http://x', /REDIS_URL must be a URL starting with redis:/],
    ['ENCRYPTION_KEY', 'too-short', /ENCRYPTION_KEY must be 32 bytes/],
    ['SESSION_SECRET', 'short', /SESSION_SECRET must be at least 32 characters/],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe', /WEBHOOK_ALLOW_PRIVATE must be true or false/],
    ['WEBHOOK_RETRY_DELAYS', '30 seconds', /WEBHOOK_RETRY_DELAYS must be a comma-separated list/],
    ['RATE_LIMIT_FREE', '-1', /RATE_LIMIT_FREE must be a whole number/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['SMTP_URL', 'mail.example.com', /SMTP_URL must be a URL/],
    ['PLAN_PRICE_PRO', 'ten', /PLAN_PRICE_PRO must be a non-negative number/],
    ['SENTRY_DSN', 'ftp://key@sentry.example.com/1', /SENTRY_DSN must be a URL/],
    ['SENTRY_DSN', 'https://sentry.example.com/1', /SENTRY_DSN must be a Sentry DSN .*public key is missing/],
    ['SENTRY_DSN', 'https://key@sentry.example.com/', /SENTRY_DSN must be a Sentry DSN .*project id is missing/],
  ])('refuses %s=%s with a line naming the variable', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dir(), [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('needs the GitHub client id and secret together', () => {
    expect(() => loadConfig({ DATA_DIR: dir(), GITHUB_CLIENT_ID: 'abc' })).toThrow('GITHUB_CLIENT_SECRET');
    expect(loadConfig({ DATA_DIR: dir(), GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b' }).github.enabled).toBe(true);
  });

  it('reads SHUTDOWN_TIMEOUT as one duration, 10 s by default', () => {
    expect(loadConfig({ DATA_DIR: dir() }).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ DATA_DIR: dir(), SHUTDOWN_TIMEOUT: '500ms' }).shutdownTimeoutMs).toBe(500);
    expect(loadConfig({ DATA_DIR: dir(), SHUTDOWN_TIMEOUT: '2m' }).shutdownTimeoutMs).toBe(120_000);
    expect(() => loadConfig({ DATA_DIR: dir(), SHUTDOWN_TIMEOUT: '11m' })).toThrow('SHUTDOWN_TIMEOUT must be a duration from 0 ms to 600 s such as 30s or 500ms (got "11m")');
    expect(() => loadConfig({ DATA_DIR: dir(), SHUTDOWN_TIMEOUT: '10' })).toThrow('SHUTDOWN_TIMEOUT');
  });

  it('parses retry delays', () => {
    expect(parseDurations('X', '500ms,30s,5m,1h')).toEqual([500, 30_000, 300_000, 3_600_000]);
  });

  it('reads TRUST_PROXY as Express does, and refuses "true" (trust every hop) with one line', () => {
    const tp = (v: string) => loadConfig({ DATA_DIR: dir(), TRUST_PROXY: v }).trustProxy;
    expect(tp('false')).toBe(false);
    expect(tp('0')).toBe(false);
    expect(tp('1')).toBe(1);
    expect(tp('10.0.0.1, 10.0.0.0/8,loopback,::1,fd00::/8')).toEqual(['10.0.0.1', '10.0.0.0/8', 'loopback', '::1', 'fd00::/8']);
    expect(() => tp('true')).toThrow(/^Invalid configuration: TRUST_PROXY .*X-Forwarded-For/);
    expect(() => tp('10.0.0.0/33')).toThrow('TRUST_PROXY');
    expect(() => tp('proxy.internal')).toThrow('TRUST_PROXY');
  });
});
