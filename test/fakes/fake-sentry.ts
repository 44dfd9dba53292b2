import http, { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake Sentry received: one envelope POST, split into its three lines. */
export interface ReceivedEnvelope {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  header: { event_id: string; sent_at: string; dsn: string };
  item: { type: string; length: number };
  payload: string;
  event: {
    event_id: string;
    timestamp: number;
    exception: { values: Array<{ type: string; value: string; stacktrace: { frames: Array<{ filename: string; function: string; lineno?: number; in_app: boolean }> } }> };
    tags?: Record<string, string>;
    request?: { method: string; url: string };
    [key: string]: unknown;
  };
}

/** A Sentry ingest endpoint on loopback that records every envelope; `hold` keeps it from answering. */
export async function startFakeSentry() {
  const received: ReceivedEnvelope[] = [];
  let hold: Promise<unknown> | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [header, item, payload] = raw.split('\n');
      const parse = (line: string | undefined) => {
        try {
          return JSON.parse(line ?? '');
        } catch {
          return null; // a malformed envelope fails the test's assertions, not the server
        }
      };
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, header: parse(header), item: parse(item), payload, event: parse(payload) });
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: parse(header)?.event_id }));
      };
      if (hold) void hold.then(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    /** answer nothing until the returned function is called */
    holdAnswers() {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type FakeSentry = Awaited<ReturnType<typeof startFakeSentry>>;
