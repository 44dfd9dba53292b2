import http from 'node:http';
import https from 'node:https';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.schema';
import { redact } from '../logging/redact';
import { requestContext } from '../logging/request-context';
import { parseDsn, SentryDsn } from './sentry-dsn';
import { APP_ROOT, APP_VERSION, buildEnvelope, buildEvent, ErrorContext, EventDefaults } from './sentry-event';

/** Events per minute per process; the rest are dropped and counted. */
export const MAX_EVENTS_PER_MINUTE = 30;
/** The same error (type, message, throwing frame) is sent at most once per this window. */
export const DUPLICATE_WINDOW_MS = 60_000;
const SEND_TIMEOUT_MS = 5000;
const SHUTDOWN_GRACE_MS = 2000;

/** One send in the background: settles when Sentry answered (or the send failed); `abort` gives up on it. */
export interface InFlight {
  done: Promise<void>;
  abort(): void;
}

/**
 * Reports unexpected errors to Sentry (SENTRY_DSN) with a small client of our own: one envelope
 * POST per event over node:http(s). Without SENTRY_DSN `report()` returns at once and nothing
 * touches the network.
 *
 * Reporting must never hurt the app: `report()` never throws and never waits; sends run in the
 * background with a 5 s deadline; failures are logged once (until a send succeeds again) and
 * swallowed; a burst is capped at 30 events a minute and a repeated error at one a minute; on
 * shutdown sends in flight get up to 2 s.
 */
@Injectable()
export class SentryReporter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Sentry');
  private readonly dsn?: SentryDsn;
  private readonly defaults: EventDefaults;
  /** each send in flight, with its bookkeeping (stats, log) as the promise to wait for */
  private readonly inFlight = new Map<InFlight, Promise<void>>();
  private readonly lastSent = new Map<string, number>();
  private windowStart = 0;
  private windowCount = 0;
  private failing = false;
  /** Sentry answered 429: nothing is sent before this time */
  private pausedUntil = 0;

  /** deadline for one send; tests may lower it */
  timeoutMs = SEND_TIMEOUT_MS;
  /** time source for the rate and duplicate windows; tests replace it */
  now: () => number = () => Date.now();
  /** delivers one envelope; tests replace it to run without a network */
  transport: (envelope: string) => InFlight = (envelope) => this.post(envelope);
  /** what happened to reports since start */
  readonly stats = { sent: 0, failed: 0, droppedOverRate: 0, duplicates: 0 };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // loadConfig has checked the DSN already
    if (config.sentryDsn) this.dsn = parseDsn(config.sentryDsn);
    this.defaults = { environment: config.nodeEnv, release: `devhub@${APP_VERSION}`, baseUrl: config.baseUrl, root: APP_ROOT };
  }

  get enabled(): boolean {
    return this.dsn !== undefined;
  }

  /** Sends `error` in the background, unless reporting is off, over the rate cap or a repeat. Never throws. */
  report(error: unknown, context: ErrorContext = {}): void {
    if (!this.dsn) return;
    try {
      const now = this.now();
      const requestId = context.requestId ?? requestContext.getStore()?.requestId;
      const { event, fingerprint } = buildEvent(error, { ...context, requestId }, this.defaults, now);
      if (!this.admit(fingerprint, now)) return;
      const flight = this.transport(buildEnvelope(event, this.dsn, new Date(now)));
      const settled = flight.done
        .then(
          () => this.succeeded(),
          (err) => this.failed(err),
        )
        .catch(() => undefined) // the bookkeeping itself must never become an unhandled rejection
        .finally(() => this.inFlight.delete(flight));
      this.inFlight.set(flight, settled);
    } catch (err) {
      this.failed(err);
    }
  }

  /** sends started and not yet answered */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves once every send started so far has settled (true), or after `timeoutMs` (false). */
  async flush(timeoutMs = SHUTDOWN_GRACE_MS): Promise<boolean> {
    if (!this.inFlight.size) return true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = Promise.all([...this.inFlight.values()]).then(() => true as const);
    try {
      return await Promise.race([settled, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gives sends in flight up to 2 s, then abandons the rest so their sockets do not hold the exit. */
  async beforeApplicationShutdown(): Promise<void> {
    if (await this.flush(SHUTDOWN_GRACE_MS)) return;
    for (const flight of this.inFlight.keys()) flight.abort();
  }

  private admit(fingerprint: string, now: number): boolean {
    const last = this.lastSent.get(fingerprint);
    if (last !== undefined && now - last < DUPLICATE_WINDOW_MS) {
      this.stats.duplicates++;
      return false;
    }
    if (now < this.pausedUntil) {
      this.stats.droppedOverRate++;
      return false;
    }
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (this.windowCount >= MAX_EVENTS_PER_MINUTE) {
      // one line per minute that overflows, not one per dropped event
      if (this.windowCount === MAX_EVENTS_PER_MINUTE) this.logger.warn(`more than ${MAX_EVENTS_PER_MINUTE} errors this minute: further reports are dropped until the next minute`);
      this.windowCount++;
      this.stats.droppedOverRate++;
      return false;
    }
    this.windowCount++;
    if (this.lastSent.size >= 1000) {
      for (const [key, at] of this.lastSent) if (now - at >= DUPLICATE_WINDOW_MS) this.lastSent.delete(key);
    }
    this.lastSent.set(fingerprint, now);
    return true;
  }

  private succeeded() {
    this.stats.sent++;
    if (this.failing) this.logger.log('error reports reach Sentry again');
    this.failing = false;
  }

  private failed(err: unknown) {
    this.stats.failed++;
    if (err instanceof SentryRateLimited) this.pausedUntil = this.now() + err.retryAfterMs;
    if (this.failing) return;
    this.failing = true;
    // the reason only: the DSN (and its key) never reaches a log line
    // (node's socket errors may come from another realm than this module's Error: no instanceof)
    const message = (err as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(err);
    this.logger.warn(`could not send an error report to Sentry (${redact(reason)}); further failures are not logged until one goes through`);
  }

  private post(envelope: string): InFlight {
    const dsn = this.dsn!;
    const url = dsn.envelopeUrl;
    let req: http.ClientRequest | undefined;
    const done = new Promise<void>((resolve, reject) => {
      req = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          // one short-lived connection per event: errors are rare, and no idle socket outlives the app
          agent: false,
          headers: {
            'Content-Type': 'application/x-sentry-envelope',
            'Content-Length': String(Buffer.byteLength(envelope)),
            'X-Sentry-Auth': `Sentry sentry_version=7, sentry_client=devhub/${APP_VERSION}, sentry_key=${dsn.publicKey}`,
          },
        },
        (res) => {
          res.resume();
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else if (status === 429) reject(new SentryRateLimited(res.headers['retry-after']));
            else reject(new Error(`HTTP ${status}`));
          });
        },
      );
      const deadline = setTimeout(() => req!.destroy(new Error(`no answer within ${Math.round(this.timeoutMs / 1000)} s`)), this.timeoutMs);
      // a report started after the shutdown hook (a request finishing while the server closes) must
      // not hold the exit: neither its timer nor its socket keeps the process alive
      deadline.unref();
      req.on('socket', (socket) => socket.unref());
      req.on('error', reject);
      req.on('close', () => {
        clearTimeout(deadline);
        // a no-op after 'end' (node emits it first); otherwise the send can never settle
        reject(new Error('connection closed before an answer'));
      });
      req.end(envelope);
    });
    return { done, abort: () => req?.destroy(new Error('shutting down')) };
  }
}

class SentryRateLimited extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfter: string | string[] | undefined) {
    const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    super('HTTP 429 (rate limited by Sentry)');
    this.retryAfterMs = (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) : 60) * 1000;
  }
}
