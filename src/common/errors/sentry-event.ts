import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { redact } from '../logging/redact';
import type { SentryDsn } from './sentry-dsn';
import { parseStack, StackFrame } from './stack-frames';

/** The folder of DevHub's package.json: above src/common/errors under jest, above dist/src/common/errors when built. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

function readVersion(root: string): string {
  try {
    return String(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

export const APP_ROOT = findRoot(__dirname);
export const APP_VERSION = readVersion(APP_ROOT);

/** What is known about where an error happened. Nothing else about a request is ever sent. */
export interface ErrorContext {
  /** the request being served: its method and path only (no query string, headers, cookies or body) */
  request?: { method: string; path: string };
  requestId?: string;
  /** short facts such as the job name; redacted like everything else */
  tags?: Record<string, string>;
}

export interface EventDefaults {
  environment: string;
  release: string;
  /** BASE_URL: request.url is this plus the path */
  baseUrl: string;
  /** paths under it are sent relative to it */
  root?: string;
}

export interface SentryEvent {
  event_id: string;
  timestamp: number;
  platform: 'node';
  level: 'error';
  environment: string;
  release: string;
  exception: { values: Array<{ type: string; value: string; stacktrace: { frames: StackFrame[] } }> };
  tags?: Record<string, string>;
  request?: { method: string; url: string };
}

const MAX_VALUE = 2000;

/** name, message and stack of anything thrown; a non-error is named by its type only (its fields could be private data). */
export function describeError(error: unknown): { type: string; value: string; stack?: string } {
  if (error instanceof Error || (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string')) {
    const e = error as Error;
    return { type: String(e.name || e.constructor?.name || 'Error'), value: e.message, stack: typeof e.stack === 'string' ? e.stack : undefined };
  }
  if (typeof error === 'string') return { type: 'Error', value: error };
  return { type: 'Error', value: `non-error value thrown (${error === null ? 'null' : typeof error})` };
}

/** Every string through the log redaction: e-mail addresses, phone numbers, tokens, secret query parameters. */
export function scrub<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(scrub) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)])) as T;
  return value;
}

/**
 * The event for one error, redacted, and its fingerprint (type, message and the frame that threw)
 * for de-duplication. The fingerprint stays in memory and is never sent.
 */
export function buildEvent(error: unknown, context: ErrorContext, defaults: EventDefaults, now = Date.now()): { event: SentryEvent; fingerprint: string } {
  const described = describeError(error);
  const { type, stack } = described;
  // redacted before it is cut: an address or token cut in half would no longer look like one
  const value = redact(described.value.slice(0, 10 * MAX_VALUE)).slice(0, MAX_VALUE);
  const frames = parseStack(stack, defaults.root);
  const top = frames[frames.length - 1];
  const tags = { ...(context.tags ?? {}), ...(context.requestId ? { request_id: context.requestId } : {}) };
  const sensitive = scrub({
    exception: { values: [{ type, value, stacktrace: { frames } }] },
    ...(Object.keys(tags).length ? { tags } : {}),
    // the path alone: query strings can carry reset tokens or search terms with personal data
    ...(context.request ? { request: { method: context.request.method, url: defaults.baseUrl + context.request.path.split('?')[0] } } : {}),
  });
  const event: SentryEvent = {
    event_id: randomUUID().replace(/-/g, ''),
    timestamp: now / 1000,
    platform: 'node',
    level: 'error',
    environment: defaults.environment,
    release: defaults.release,
    ...sensitive,
  };
  return { event, fingerprint: `${type}\n${value}\n${top ? `${top.filename}:${top.lineno}:${top.colno}` : ''}` };
}

/** Envelope: a header line, an item header line with the payload's byte length, the event. */
export function buildEnvelope(event: SentryEvent, dsn: SentryDsn, sentAt = new Date()): string {
  const payload = JSON.stringify(event);
  return [
    JSON.stringify({ event_id: event.event_id, sent_at: sentAt.toISOString(), dsn: dsn.dsn }),
    JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) }),
    payload,
  ].join('\n') + '\n';
}
