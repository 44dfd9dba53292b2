import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  path: string;
  /** when it arrived, by the receiver's clock (the test's fake clock when one is given) */
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** answer only once this settles (a receiver that hangs until the test lets it go) */
  until?: Promise<unknown>;
  /** send the status line and headers at once, then one byte of body every this many ms, never ending */
  trickleMs?: number;
}

export type Responder = (req: ReceivedWebhook, index: number) => Answer;

export interface ReceiverOptions {
  /** the clock `at` is read from; pass the app's (faked) clock so signatures are checked against its time */
  now?: () => number;
}

/**
 * A webhook receiver on loopback that records every request and answers as the test says.
 * It counts TCP connections (a refused target must see none) and verifies what it received with
 * the `standardwebhooks` package, an implementation independent of DevHub's.
 */
export async function startWebhookReceiver(respond: Responder = () => ({ status: 200, body: 'ok' }), options: ReceiverOptions = {}) {
  const received: ReceivedWebhook[] = [];
  const now = options.now ?? (() => Date.now());
  const timers = new Set<NodeJS.Timeout>();
  const secrets = new Map<string, string[]>();
  let verified = 0;
  let connections = 0;
  let responder = respond;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const item = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '/', at: now() };
      received.push(item);
      const answer = responder(item, received.length - 1);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.headers ?? {}) });
        if (answer.trickleMs) {
          res.write(' ');
          const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), answer.trickleMs);
          timers.add(timer);
          return;
        }
        res.end(answer.body ?? '');
      };
      if (answer.until) void answer.until.then(send, send);
      else if (answer.delayMs) {
        const timer = setTimeout(send, answer.delayMs);
        timers.add(timer);
      } else send();
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    /** TCP connections accepted so far */
    get connections() {
      return connections;
    },
    respondWith(fn: Responder) {
      responder = fn;
    },
    hits(path: string): ReceivedWebhook[] {
      return received.filter((r) => r.path === path);
    },
    /** Deliveries to `path` must verify with one of these secrets (the whsec_ value shown once). */
    expectSignedWith(path: string, ...whsec: string[]) {
      secrets.set(path, whsec);
    },
    /**
     * Verifies every request received since the last call with standardwebhooks (signature and
     * timestamp tolerance, at the time it arrived). Throws on the first one that does not verify.
     * Returns how many it checked.
     */
    verifyAll(): number {
      const start = verified;
      for (; verified < received.length; verified++) verifyWebhook(received[verified], secrets.get(received[verified].path) ?? []);
      return verified - start;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** The three Standard Webhooks headers of a received request. */
export function webhookHeaders(hit: ReceivedWebhook, signature = String(hit.headers['webhook-signature'])) {
  return { 'webhook-id': String(hit.headers['webhook-id']), 'webhook-timestamp': String(hit.headers['webhook-timestamp']), 'webhook-signature': signature };
}

/**
 * Verifies one request with standardwebhooks, as a receiver would at the moment it arrived (the
 * library checks the timestamp against Date.now(), which the tests' moved clock runs ahead of).
 * Passes when any of `secrets` verifies it; returns the parsed payload.
 */
export function verifyWebhook(hit: ReceivedWebhook, secrets: string[], signature?: string): { type: string; timestamp: string; data: Record<string, unknown> } {
  if (!secrets.length) throw new Error(`no secret registered for deliveries to ${hit.path}`);
  const realNow = Date.now;
  Date.now = () => hit.at;
  try {
    let lastError: unknown;
    for (const secret of secrets) {
      try {
        return new Webhook(secret).verify(hit.body, webhookHeaders(hit, signature)) as ReturnType<typeof verifyWebhook>;
      } catch (err) {
        lastError = err;
      }
    }
    throw new Error(`delivery ${hit.headers['webhook-id']} to ${hit.path} does not verify: ${(lastError as Error).message}`);
  } finally {
    Date.now = realNow;
  }
}
