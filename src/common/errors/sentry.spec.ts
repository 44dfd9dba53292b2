import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/config.schema';
import { ConfigError } from '../../config/config.schema';
import { requestContext } from '../logging/request-context';
import { parseDsn } from './sentry-dsn';
import { APP_ROOT, APP_VERSION, buildEnvelope, buildEvent, describeError } from './sentry-event';
import { DUPLICATE_WINDOW_MS, InFlight, MAX_EVENTS_PER_MINUTE, SentryReporter } from './sentry-reporter';
import { parseStack } from './stack-frames';

const DEFAULTS = { environment: 'test', release: 'devhub@9.9.9', baseUrl: 'https://crm.example.org', root: APP_ROOT };

describe('parseDsn', () => {
  it('derives the envelope endpoint, key and project from a hosted DSN', () => {
    const dsn = parseDsn('https://abc123@o42.ingest.sentry.io/4505');
    expect(dsn.publicKey).toBe('abc123');
    expect(dsn.projectId).toBe('4505');
    expect(dsn.envelopeUrl.toString()).toBe('https://o42.ingest.sentry.io/api/4505/envelope/');
    expect(dsn.dsn).toBe('https://abc123@o42.ingest.sentry.io/4505');
  });

  it('keeps a port and a path prefix (self-hosted Sentry behind a proxy)', () => {
    const dsn = parseDsn('http://key@127.0.0.1:9000/sentry/eu/42');
    expect(dsn.envelopeUrl.toString()).toBe('http://127.0.0.1:9000/sentry/eu/api/42/envelope/');
    expect(dsn.dsn).toBe('http://key@127.0.0.1:9000/sentry/eu/42');
  });

  it('drops the secret of a legacy DSN: it is never sent or needed', () => {
    const dsn = parseDsn('https://public:very-secret@sentry.example.com/7');
    expect(dsn.publicKey).toBe('public');
    expect(dsn.dsn).toBe('https://public@sentry.example.com/7');
    expect(JSON.stringify({ ...dsn, envelopeUrl: dsn.envelopeUrl.toString() })).not.toContain('very-secret');
  });

  it.each([
    ['no public key', 'https://sentry.example.com/7'],
    ['no project id', 'https://thekey@sentry.example.com/'],
    ['a query string', 'https://thekey@sentry.example.com/7?x=1'],
    ['another scheme', 'ftp://thekey@sentry.example.com/7'],
    ['not a URL', 'thekey at sentry'],
  ])('refuses a DSN with %s, naming SENTRY_DSN but not repeating the key', (_what, raw) => {
    let error: unknown;
    try {
      parseDsn(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^Invalid configuration: SENTRY_DSN must be a Sentry DSN/);
    expect((error as ConfigError).message).not.toContain('thekey');
  });
});

describe('parseStack', () => {
  const stack = [
    'TypeError: Cannot read properties of undefined',
    'reading "x" on a second line of the message',
    '    at ContactsService.list (/srv/devhub/dist/src/contacts/contacts.service.js:40:11)',
    '    at async ContactsApiController.list (/srv/devhub/dist/src/contacts/contacts-api.controller.js:12:5)',
    '    at /srv/devhub/node_modules/@nestjs/core/router/router-execution-context.js:46:28',
    '    at new Promise (<anonymous>)',
    '    at Array.map (native)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '    at file:///srv/devhub/scripts/tool.mjs:3:9',
  ].join('\n');

  it('reads V8 frames oldest first, with file, function, line and column', () => {
    const frames = parseStack(stack, '/srv/devhub');
    expect(frames).toEqual([
      { filename: 'scripts/tool.mjs', function: '?', lineno: 3, colno: 9, in_app: true },
      { filename: 'node:internal/process/task_queues', function: 'process.processTicksAndRejections', lineno: 95, colno: 5, in_app: false },
      { filename: 'native', function: 'Array.map', in_app: false },
      { filename: '<anonymous>', function: 'new Promise', in_app: false },
      { filename: 'node_modules/@nestjs/core/router/router-execution-context.js', function: '?', lineno: 46, colno: 28, in_app: false },
      { filename: 'dist/src/contacts/contacts-api.controller.js', function: 'ContactsApiController.list', lineno: 12, colno: 5, in_app: true },
      { filename: 'dist/src/contacts/contacts.service.js', function: 'ContactsService.list', lineno: 40, colno: 11, in_app: true },
    ]);
  });

  it('parses a real stack: the newest frame is the function that threw, in this file', () => {
    function throwsHere(): never {
      throw new RangeError('real one');
    }
    let stackText = '';
    try {
      throwsHere();
    } catch (err) {
      stackText = (err as Error).stack!;
    }
    const frames = parseStack(stackText, APP_ROOT);
    const top = frames[frames.length - 1];
    expect(top).toMatchObject({ function: 'throwsHere', filename: 'src/common/errors/sentry.spec.ts', in_app: true });
    expect(top.lineno).toBeGreaterThan(0);
    expect(frames.some((f) => f.filename.includes('node_modules') && !f.in_app)).toBe(true);
  });

  it('returns no frames for a missing or frameless stack', () => {
    expect(parseStack(undefined)).toEqual([]);
    expect(parseStack('Error: only a message')).toEqual([]);
  });
});

describe('buildEvent', () => {
  const secretError = () =>
    new Error('no contact grace.hopper@navy.mil for key dh_abcdefghijklmnopqrstuvwxyz0123 (call +1 415 555 0100, ?token=abc123&x=1)');

  it('fills the fields Sentry needs', () => {
    const { event } = buildEvent(new TypeError('boom'), {}, DEFAULTS, 1_700_000_000_500);
    expect(event.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(event).toMatchObject({ timestamp: 1_700_000_000.5, platform: 'node', level: 'error', environment: 'test', release: 'devhub@9.9.9' });
    expect(event.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'boom' });
    expect(event.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    expect(event).not.toHaveProperty('request');
    expect(event).not.toHaveProperty('tags');
  });

  it('redacts e-mail addresses, phone numbers, tokens and secret parameters in the message', () => {
    const { event } = buildEvent(secretError(), {}, DEFAULTS);
    const value = event.exception.values[0].value;
    expect(value).toBe('no contact [email] for key dh_[redacted] (call [phone], ?token=[redacted]&x=1)');
  });

  it('redacts a long message before cutting it, so an address at the cut is not half sent', () => {
    const message = `${'x'.repeat(1990)} jane.doe@example.com`;
    const value = buildEvent(new Error(message), {}, DEFAULTS).event.exception.values[0].value;
    expect(value.length).toBeLessThanOrEqual(2000);
    expect(value).not.toContain('jane');
  });

  it('redacts every string: frames, tags and the request too', () => {
    const error = new Error('x');
    error.stack = 'Error: x\n    at lookup (/home/ada@example.com/app/src/a.js:1:2)';
    const { event } = buildEvent(error, { tags: { job: 'mail bob@example.com' }, request: { method: 'GET', path: '/contacts/ada@example.com' } }, DEFAULTS);
    const body = JSON.stringify(event);
    expect(body).not.toMatch(/ada@example\.com|bob@example\.com/);
    expect(event.tags).toEqual({ job: 'mail [email]' });
    expect(event.request).toEqual({ method: 'GET', url: 'https://crm.example.org/contacts/[email]' });
  });

  it('sends the request as method and BASE_URL + path, never a query string', () => {
    const { event } = buildEvent(new Error('x'), { request: { method: 'POST', path: '/api/contacts?q=secret' }, requestId: 'req-12345678' }, DEFAULTS);
    expect(event.request).toEqual({ method: 'POST', url: 'https://crm.example.org/api/contacts' });
    expect(event.tags).toEqual({ request_id: 'req-12345678' });
  });

  it('fingerprints by type, message and the frame that threw', () => {
    const make = (message: string) => new Error(message);
    const a = buildEvent(make('same'), {}, DEFAULTS).fingerprint;
    expect(buildEvent(make('same'), {}, DEFAULTS).fingerprint).toBe(a);
    expect(buildEvent(make('other'), {}, DEFAULTS).fingerprint).not.toBe(a);
    expect(buildEvent(new Error('same'), {}, DEFAULTS).fingerprint).not.toBe(a);
  });

  it('describes values that are not errors without serialising them', () => {
    expect(describeError('plain string')).toEqual({ type: 'Error', value: 'plain string' });
    expect(describeError({ password: 'hunter2' })).toEqual({ type: 'Error', value: 'non-error value thrown (object)' });
    expect(describeError(null).value).toBe('non-error value thrown (null)');
    expect(buildEvent(undefined, {}, DEFAULTS).event.exception.values[0].stacktrace.frames).toEqual([]);
  });
});

describe('buildEnvelope', () => {
  it('is a header line, an item header with the byte length, and the event', () => {
    const dsn = parseDsn('https://pub@sentry.example.com/3');
    const { event } = buildEvent(new Error('naïve café ☕'), {}, DEFAULTS);
    const text = buildEnvelope(event, dsn, new Date('2026-01-02T03:04:05.000Z'));
    const [header, item, payload, rest] = text.split('\n');
    expect(JSON.parse(header)).toEqual({ event_id: event.event_id, sent_at: '2026-01-02T03:04:05.000Z', dsn: 'https://pub@sentry.example.com/3' });
    expect(JSON.parse(item)).toEqual({ type: 'event', length: Buffer.byteLength(payload) });
    expect(Buffer.byteLength(payload)).toBeGreaterThan(payload.length);
    expect(JSON.parse(payload)).toEqual(event);
    expect(rest).toBe('');
  });
});

describe('SentryReporter', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const config = (sentryDsn?: string) => ({ sentryDsn, nodeEnv: 'test', baseUrl: 'http://localhost:3000' }) as AppConfig;

  /** A reporter whose transport records envelopes and settles each send when the test says. */
  function reporter(sentryDsn = 'https://pub@sentry.example.com/1') {
    const r = new SentryReporter(config(sentryDsn));
    let clock = 1_000_000;
    r.now = () => clock;
    const sent: Array<{ envelope: string; settle: (err?: Error) => void; aborted: boolean }> = [];
    r.transport = (envelope: string): InFlight => {
      let settle!: (err?: Error) => void;
      const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
      const entry = { envelope, settle, aborted: false };
      sent.push(entry);
      return { done, abort: () => ((entry.aborted = true), settle(new Error('aborted'))) };
    };
    return { r, sent, tick: (ms: number) => (clock += ms) };
  }

  it('does nothing without SENTRY_DSN', () => {
    const r = new SentryReporter(config(undefined));
    const transport = jest.spyOn(r, 'transport');
    r.report(new Error('x'));
    expect(r.enabled).toBe(false);
    expect(transport).not.toHaveBeenCalled();
    expect(r.pending).toBe(0);
  });

  it('refuses a malformed DSN at construction (start-up stops, naming SENTRY_DSN)', () => {
    expect(() => new SentryReporter(config('https://sentry.example.com/1'))).toThrow(ConfigError);
  });

  it('tags the request id of the request being served', () => {
    const { r, sent } = reporter();
    requestContext.run({ requestId: 'ctx-request-1' }, () => r.report(new Error('in a request')));
    const event = JSON.parse(sent[0].envelope.split('\n')[2]);
    expect(event.tags).toEqual({ request_id: 'ctx-request-1' });
    expect(event.release).toBe(`devhub@${APP_VERSION}`);
  });

  it('sends the same error at most once a minute', () => {
    const { r, sent, tick } = reporter();
    const fail = (message: string) => new Error(message);
    r.report(fail('same'));
    r.report(fail('same'));
    r.report(fail('different'));
    expect(sent).toHaveLength(2);
    expect(r.stats.duplicates).toBe(1);
    tick(DUPLICATE_WINDOW_MS);
    r.report(fail('same'));
    expect(sent).toHaveLength(3);
  });

  it(`sends at most ${MAX_EVENTS_PER_MINUTE} events a minute, counts the rest and warns once`, () => {
    const { r, sent, tick } = reporter();
    for (let i = 0; i < MAX_EVENTS_PER_MINUTE + 5; i++) r.report(new Error(`error ${i}`));
    expect(sent).toHaveLength(MAX_EVENTS_PER_MINUTE);
    expect(r.stats.droppedOverRate).toBe(5);
    expect(warn).toHaveBeenCalledTimes(1);
    tick(60_000);
    r.report(new Error('next minute'));
    expect(sent).toHaveLength(MAX_EVENTS_PER_MINUTE + 1);
  });

  it('swallows failures, logs the first one only (without the DSN), and logs again after a success', async () => {
    const { r, sent } = reporter('https://secretish-public-key@sentry.example.com/1');
    r.report(new Error('a'));
    r.report(new Error('b'));
    sent[0].settle(new Error('connect ECONNREFUSED 127.0.0.1:9'));
    sent[1].settle(new Error('connect ECONNREFUSED 127.0.0.1:9'));
    expect(await r.flush()).toBe(true);
    expect(r.stats.failed).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('could not send an error report to Sentry (connect ECONNREFUSED');
    expect(String(warn.mock.calls[0][0])).not.toContain('secretish');
    r.report(new Error('c'));
    sent[2].settle();
    r.report(new Error('d'));
    sent[3].settle(new Error('HTTP 502'));
    await r.flush();
    expect(r.stats).toMatchObject({ sent: 1, failed: 3 });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('never throws, even when building or sending fails', () => {
    const { r } = reporter();
    r.transport = () => {
      throw new Error('socket exploded');
    };
    expect(() => r.report(new Error('x'))).not.toThrow();
    expect(r.stats.failed).toBe(1);
  });

  it('on shutdown waits for sends in flight', async () => {
    const { r, sent } = reporter();
    r.report(new Error('in flight'));
    let finished = false;
    const shutdown = r.beforeApplicationShutdown().then(() => (finished = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(false);
    sent[0].settle();
    await shutdown;
    expect(sent[0].aborted).toBe(false);
    expect(r.stats.sent).toBe(1);
  });

  it('on shutdown gives up after 2 s on a send that does not finish', async () => {
    jest.useFakeTimers();
    try {
      const { r, sent } = reporter();
      r.report(new Error('stuck'));
      const shutdown = r.beforeApplicationShutdown();
      await jest.advanceTimersByTimeAsync(1999);
      expect(sent[0].aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await shutdown;
      expect(sent[0].aborted).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
