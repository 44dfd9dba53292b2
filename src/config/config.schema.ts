import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseDsn } from '../common/errors/sentry-dsn';
import { ConfigError } from './config-error';

export { ConfigError };

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type TrustProxy = false | number | string[];

export interface AppConfig {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  host: string;
  baseUrl: string;
  databaseUrl: string;
  redisUrl?: string;
  sessionSecret: string;
  encryptionKey: Buffer;
  github: {
    clientId?: string;
    clientSecret?: string;
    oauthUrl: string;
    apiUrl: string;
    token?: string;
    enabled: boolean;
  };
  openai: {
    apiKey?: string;
    baseUrl?: string;
    model: string;
    /** the model for pro and premium accounts (OPENAI_MODEL_PAID, default OPENAI_MODEL) */
    modelPaid: string;
    /** how long a digest waits for the model (OPENAI_TIMEOUT) */
    timeoutMs: number;
    /** model calls in flight per instance (OPENAI_CONCURRENCY) */
    concurrency: number;
    /** false when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: rule-based digest only */
    enabled: boolean;
  };
  smtpUrl?: string;
  mailFrom: string;
  rateLimitFree: number;
  rateLimitPaid: number;
  webhookAllowPrivate: boolean;
  webhookRetryDelaysMs: number[];
  /** consecutive failed deliveries after which an endpoint is disabled (WEBHOOK_DISABLE_AFTER, not in the contract) */
  webhookDisableAfter: number;
  jobsEnabled: boolean;
  /** health port of `npm run worker` */
  workerPort: number;
  /** when set, GET /metrics answers to `Authorization: Bearer <token>` */
  metricsToken?: string;
  planPricePro: number;
  planPricePremium: number;
  sentryDsn?: string;
  /** Express `trust proxy`: false, a hop count, or the proxies' addresses/CIDRs; never true (every hop) */
  trustProxy: TrustProxy;
  logLevel: LogLevel;
  dataDir: string;
  /** after SIGTERM, how long in-flight requests may take before their sockets are closed */
  shutdownTimeoutMs: number;
  /** nightly `backup-database` job: folder (unset = off) and how many backups to keep */
  backup: { dir?: string; keep: number };
}

/** One clear line naming the variable and what was expected. */
type Env = Record<string, string | undefined>;

function str(env: Env, name: string, def?: string): string | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return def;
  return v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `a whole number from ${min} to ${max} (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `a whole number from ${min} to ${max} (got ${n})`);
  return n;
}

function num(env: Env, name: string, def: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(name, `a non-negative number (got "${raw}")`);
  return n;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [addr, bits, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  if (!/^\d+$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY as Express reads `trust proxy`: false, a hop count, or a comma list of proxy
 * addresses/CIDRs (or loopback, linklocal, uniquelocal). `true` would trust every hop, so any
 * client could pick its own address through X-Forwarded-For and walk past the per-IP limits.
 */
export function trustProxy(env: Env): TrustProxy {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) {
    throw new ConfigError('TRUST_PROXY', `false, a hop count (1 behind one proxy) or the proxies' addresses/CIDRs; "${raw}" would trust a client's own X-Forwarded-For`);
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 100) throw new ConfigError('TRUST_PROXY', `a hop count from 0 to 100 (got ${hops})`);
    return hops;
  }
  const entries = v.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.find((e) => !isProxyAddress(e));
  if (bad !== undefined || !entries.length) {
    throw new ConfigError('TRUST_PROXY', `false, a hop count or a comma list of proxy addresses/CIDRs (got "${bad ?? raw}")`);
  }
  return entries;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `true or false (got "${raw}")`);
}

/** An http(s) URL with the parts Sentry needs (public key, project id); checked here so a bad one stops start-up at once. */
function sentryDsn(env: Env): string | undefined {
  const raw = url(env, 'SENTRY_DSN', undefined, ['http:', 'https:']);
  if (raw !== undefined) parseDsn(raw);
  return raw;
}

function url(env: Env, name: string, def: string | undefined, protocols: string[]): string | undefined {
  const raw = str(env, name, def);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')} (got ${parsed.protocol}//…)`);
  }
  return raw.replace(/\/+$/, '');
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
export function parseDurations(name: string, raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  return parts.map((p) => {
    const m = DURATION.exec(p);
    if (!m) throw new ConfigError(name, `a comma-separated list of durations such as 30s,5m,1h (got "${raw}")`);
    const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    return Number(m[1]) * factor;
  });
}

/** One duration (`30s`, `500ms`, `2m`), at least `minMs`. */
function duration(env: Env, name: string, def: string, minMs: number, maxMs: number): number {
  const raw = str(env, name, def)!;
  const m = DURATION.exec(raw);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!m || ms < minMs || ms > maxMs) throw new ConfigError(name, `a duration from ${minMs} ms to ${maxMs / 1000} s such as 30s or 500ms (got "${raw}")`);
  return ms;
}

/** A bearer token: at least 16 characters, no spaces. */
function metricsToken(env: Env): string | undefined {
  const raw = str(env, 'METRICS_TOKEN');
  if (raw === undefined) return undefined;
  if (raw.length < 16 || /\s/.test(raw)) throw new ConfigError('METRICS_TOKEN', 'at least 16 characters without spaces');
  return raw;
}

export function databaseUrl(env: Env): string {
  const raw = str(env, 'DATABASE_URL', 'sqlite:./data/devhub.db')!;
  if (/^sqlite:.+/.test(raw)) return raw;
  if (/^postgres(ql)?:\/\/.+/.test(raw)) {
    try {
      new URL(raw);
      return raw;
    } catch {
      /* fall through */
    }
  }
  throw new ConfigError('DATABASE_URL', 'sqlite:PATH or postgres://user@host:port/db');
}

function parseKey(name: string, raw: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(raw)) {
    const buf = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === 32) return buf;
  }
  throw new ConfigError(name, '32 bytes as 64 hex characters or base64 (openssl rand -base64 32)');
}

/**
 * Outside production a missing secret is generated once into the data folder (mode 0600)
 * and reused on later starts, so sessions and encrypted tokens survive a restart.
 */
function persistedSecret(dataDir: string, file: string, make: () => string): string {
  const path = resolve(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dirname(path), { recursive: true });
  const value = make();
  writeFileSync(path, value + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return value;
}

function backupDir(env: Env): string | undefined {
  const raw = str(env, 'BACKUP_DIR');
  return raw === undefined ? undefined : resolve(raw);
}

export function dataDirFor(databaseUrlValue: string, env: Env): string {
  const explicit = str(env, 'DATA_DIR');
  if (explicit) return resolve(explicit);
  if (databaseUrlValue.startsWith('sqlite:')) {
    const file = databaseUrlValue.slice('sqlite:'.length);
    if (file !== ':memory:') return dirname(resolve(file));
  }
  return resolve('./data');
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = str(env, 'NODE_ENV', 'development')!;
  const isProduction = nodeEnv === 'production';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = str(env, 'HOST', '127.0.0.1')!;
  const baseUrl = url(env, 'BASE_URL', 'http://localhost:3000', ['http:', 'https:'])!;
  const dbUrl = databaseUrl(env);
  const redisUrl = url(env, 'REDIS_URL', undefined, ['redis:', 'rediss:']);
  const dataDir = dataDirFor(dbUrl, env);

  const logLevel = (str(env, 'LOG_LEVEL', 'info') as string).toLowerCase();
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `one of error, warn, info, debug (got "${logLevel}")`);
  }

  let sessionSecret = str(env, 'SESSION_SECRET');
  let encryptionKeyRaw = str(env, 'ENCRYPTION_KEY');
  if (isProduction) {
    if (!sessionSecret) throw new ConfigError('SESSION_SECRET', 'set when NODE_ENV=production (at least 32 characters)');
    if (!encryptionKeyRaw) throw new ConfigError('ENCRYPTION_KEY', 'set when NODE_ENV=production (openssl rand -base64 32)');
  }
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'at least 32 characters');
  }
  sessionSecret ??= persistedSecret(dataDir, 'session-secret', () => randomBytes(48).toString('base64url'));
  encryptionKeyRaw ??= persistedSecret(dataDir, 'encryption-key', () => randomBytes(32).toString('base64'));
  const encryptionKey = parseKey('ENCRYPTION_KEY', encryptionKeyRaw);

  const clientId = str(env, 'GITHUB_CLIENT_ID');
  const clientSecret = str(env, 'GITHUB_CLIENT_SECRET');
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    throw new ConfigError(clientId ? 'GITHUB_CLIENT_SECRET' : 'GITHUB_CLIENT_ID', 'set together with its pair for GitHub sign-in');
  }

  const smtpUrl = url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']);
  const mailFrom = str(env, 'MAIL_FROM', `DevHub <no-reply@${new URL(baseUrl).hostname}>`)!;

  return {
    nodeEnv,
    isProduction,
    port,
    host,
    baseUrl,
    databaseUrl: dbUrl,
    redisUrl,
    sessionSecret,
    encryptionKey,
    github: {
      clientId,
      clientSecret,
      oauthUrl: url(env, 'GITHUB_OAUTH_URL', 'https://github.com', ['http:', 'https:'])!,
      apiUrl: url(env, 'GITHUB_API_URL', 'https://api.github.com', ['http:', 'https:'])!,
      token: str(env, 'GITHUB_TOKEN'),
      enabled: Boolean(clientId && clientSecret),
    },
    openai: (() => {
      const apiKey = str(env, 'OPENAI_API_KEY');
      const baseUrl = url(env, 'OPENAI_BASE_URL', undefined, ['http:', 'https:']);
      const model = str(env, 'OPENAI_MODEL', 'gpt-4o-mini')!;
      return {
        apiKey,
        baseUrl,
        model,
        modelPaid: str(env, 'OPENAI_MODEL_PAID', model)!,
        timeoutMs: duration(env, 'OPENAI_TIMEOUT', '30s', 100, 600_000),
        concurrency: int(env, 'OPENAI_CONCURRENCY', 4, 1, 256),
        enabled: Boolean(apiKey || baseUrl),
      };
    })(),
    smtpUrl,
    mailFrom,
    rateLimitFree: int(env, 'RATE_LIMIT_FREE', 100, 1, 1_000_000),
    rateLimitPaid: int(env, 'RATE_LIMIT_PAID', 1000, 1, 1_000_000),
    webhookAllowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    webhookRetryDelaysMs: parseDurations('WEBHOOK_RETRY_DELAYS', str(env, 'WEBHOOK_RETRY_DELAYS', '30s,5m')!),
    webhookDisableAfter: int(env, 'WEBHOOK_DISABLE_AFTER', 15, 1, 1000),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    workerPort: int(env, 'WORKER_PORT', 3001, 0, 65535),
    metricsToken: metricsToken(env),
    planPricePro: num(env, 'PLAN_PRICE_PRO', 0),
    planPricePremium: num(env, 'PLAN_PRICE_PREMIUM', 0),
    sentryDsn: sentryDsn(env),
    trustProxy: trustProxy(env),
    logLevel: logLevel as LogLevel,
    dataDir,
    shutdownTimeoutMs: duration(env, 'SHUTDOWN_TIMEOUT', '10s', 0, 600_000),
    backup: { dir: backupDir(env), keep: int(env, 'BACKUP_KEEP', 7, 1, 1000) },
  };
}
