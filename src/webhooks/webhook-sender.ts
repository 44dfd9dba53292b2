import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import type { LookupAddress } from 'node:dns';
import { ForbiddenTargetError, resolveSafeTarget, systemResolver } from './ssrf-guard';

export const WEBHOOK_RESOLVER = Symbol('WEBHOOK_RESOLVER');

/**
 * DNS for webhook targets (the system resolver, every address of a name). A provider of its own so
 * that tests can answer for names they make up: `jest.spyOn(app.get(WEBHOOK_RESOLVER), 'resolve')`.
 */
@Injectable()
export class WebhookResolver {
  resolve(hostname: string): Promise<LookupAddress[]> {
    return systemResolver(hostname);
  }
}
/** The contract's limit: a 2xx answer within 10 s is success. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
const KEEP_BODY = 1024;
/** idle keep-alive sockets are closed after this, before a typical server's 5 s keep-alive timeout */
const IDLE_SOCKET_MS = 4000;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  body: string;
  durationMs: number;
  error: string | null;
  /** seconds from a Retry-After header */
  retryAfter: number | null;
  /** refused before any connection was made (SSRF) */
  refused: boolean;
}

function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The one place webhooks leave the process. DNS is resolved once, every address is checked, and
 * the socket connects to the checked address (no second lookup that could be rebound). No
 * redirects are followed; the whole answer must arrive within the timeout (10 s); only the first
 * 1 KB of it is kept.
 *
 * Sockets are kept alive between deliveries to the same host. A pooled socket was opened to an
 * address that passed the check when it was opened, and every request is checked again before
 * it may use one, so keep-alive does not widen what can be reached.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  /** The default deadline for one attempt. Tests lower it to exercise timeouts without waiting 10 s. */
  timeoutMs = WEBHOOK_TIMEOUT_MS;
  private readonly httpAgent = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_RESOLVER) private readonly resolver: WebhookResolver,
  ) {}

  /** After the dispatcher's sends in flight have finished (it waits for them in onModuleDestroy). */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async send(target: string, headers: Record<string, string>, body: string, timeoutMs = this.timeoutMs): Promise<SendResult> {
    const started = Date.now();
    const fail = (error: string, refused = false): SendResult => ({ ok: false, statusCode: null, body: '', durationMs: Date.now() - started, error, retryAfter: null, refused });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return fail('Invalid URL', true);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('Only http and https URLs are allowed', true);
    if (url.username || url.password) return fail('URLs with credentials are not allowed', true);
    let resolved: { address: string; family: 4 | 6 };
    try {
      resolved = await resolveSafeTarget(url, this.config.webhookAllowPrivate, (host) => this.resolver.resolve(host));
    } catch (err) {
      return fail(err instanceof ForbiddenTargetError ? err.message : 'Target check failed', true);
    }
    const isHttps = url.protocol === 'https:';
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (r: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(r);
      };
      const req = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'DevHub-Webhooks/1' },
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          // connect to the address that was checked, whatever the name resolves to now
          lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
            opts?.all ? cb(null, [{ address: resolved.address, family: resolved.family }]) : cb(null, resolved.address, resolved.family)) as never,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status < 300;
            done({
              ok,
              statusCode: status,
              body: Buffer.concat(chunks).toString('utf8').slice(0, KEEP_BODY),
              durationMs: Date.now() - started,
              error: ok ? null : status >= 300 && status < 400 ? `Redirect to ${res.headers.location ?? '?'} not followed` : `HTTP ${status}`,
              retryAfter: parseRetryAfter(res.headers['retry-after'] as string | undefined, Date.now()),
              refused: false,
            });
          };
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            size += c.length;
            // the log keeps 1 KB: stop reading a long answer there rather than wait for all of it
            if (size >= KEEP_BODY) {
              finish();
              res.destroy();
            }
          });
          res.on('end', finish);
          res.on('error', (err) => done(fail(err.message)));
        },
      );
      // one deadline for connect, upload and the whole answer: a receiver that trickles bytes
      // cannot keep an attempt open past it (a socket idle timeout alone would let it)
      const deadline = setTimeout(() => {
        done(fail(`No answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`));
        req.destroy();
      }, timeoutMs);
      req.on('error', (err) => done(fail(err.message)));
      req.end(body);
    });
  }
}

export const systemResolverProvider = { provide: WEBHOOK_RESOLVER, useClass: WebhookResolver };
