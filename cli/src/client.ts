import type { paths } from './generated/api.js';
import { CliError } from './errors.js';
import { spinner } from './output.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Operation {
  path: unknown;
  query: unknown;
  body: unknown;
  response: unknown;
}
type Op<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends Operation ? paths[P][M] : never;
/** Only the parts a route has: `path` for /{id} routes, `query` for lists, `body` for writes. */
type Parts<O extends Operation> = ([O['path']] extends [never] ? unknown : { path: O['path'] }) &
  ([O['query']] extends [never] ? unknown : { query?: O['query'] }) &
  ([O['body']] extends [never] ? unknown : { body: O['body'] });

export interface RawRequest {
  path?: Record<string, string>;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
}

const MAX_RATE_LIMIT_WAITS = 5;
const TIMEOUT_MS = 30_000;

/** An answer other than 2xx, with the API's `{ statusCode, error, message }`. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The REST API over Node's fetch, typed by the OpenAPI document. It waits out a 429 (Retry-After)
 * and retries; 401, 5xx and network failures become one clear line.
 */
export class DevHubClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  call<P extends keyof paths, M extends keyof paths[P] & Method>(method: M, path: P, parts: Parts<Op<P, M>>, options: { auth?: boolean } = {}): Promise<Op<P, M>['response']> {
    return this.request(method, path as string, parts as RawRequest, options.auth ?? true) as Promise<Op<P, M>['response']>;
  }

  /** For a route the OpenAPI document does not have yet; prefer `call`. */
  async request(method: Method, template: string, parts: RawRequest = {}, auth = true): Promise<unknown> {
    const url = new URL(this.baseUrl + template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parts.path?.[name] ?? '')));
    for (const [k, v] of Object.entries(parts.query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'devhub-cli' };
    if (auth) {
      if (!this.token) throw new CliError('Not logged in. Run `devhub login` (or set DEVHUB_TOKEN).');
      headers.Authorization = `Bearer ${this.token}`;
    }
    if (parts.body !== undefined) headers['Content-Type'] = 'application/json';
    for (let waits = 0; ; waits++) {
      let res: Response;
      try {
        res = await fetch(url, { method: method.toUpperCase(), headers, body: parts.body === undefined ? undefined : JSON.stringify(parts.body), signal: AbortSignal.timeout(TIMEOUT_MS) });
      } catch (err) {
        throw new CliError(`Cannot reach DevHub at ${this.baseUrl}: ${networkReason(err)}.`);
      }
      if (res.status === 429 && waits < MAX_RATE_LIMIT_WAITS) {
        await res.body?.cancel();
        await this.waitOut(retryAfterSeconds(res.headers.get('retry-after')));
        continue;
      }
      return this.read(res, auth);
    }
  }

  private async waitOut(seconds: number) {
    const s = spinner(`Rate limit reached: waiting ${seconds} s before retrying (Retry-After)…`);
    try {
      for (let left = seconds; left > 0; left--) {
        s.update(`Rate limit reached: retrying in ${left} s…`);
        await this.wait(1000);
      }
    } finally {
      s.stop();
    }
  }

  private async read(res: Response, auth: boolean): Promise<unknown> {
    const text = await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok || res.status < 500) throw new CliError(`${this.baseUrl} did not answer like a DevHub server (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}). Check the URL.`);
      }
    }
    if (res.ok) return body;
    const message = typeof (body as { message?: unknown })?.message === 'string' ? (body as { message: string }).message : res.statusText;
    if (res.status === 401 && auth) throw new ApiError(401, 'Your API key was refused (revoked or invalid). Log in again: `devhub login`.');
    if (res.status >= 500) throw new ApiError(res.status, `DevHub at ${this.baseUrl} failed with HTTP ${res.status}${message ? `: ${message}` : ''}. Try again later.`);
    if (res.status === 429) throw new ApiError(429, `Still rate-limited after ${MAX_RATE_LIMIT_WAITS} waits: ${message}`);
    throw new ApiError(res.status, message || `HTTP ${res.status}`);
  }
}

function retryAfterSeconds(header: string | null): number {
  const n = Number(header);
  if (Number.isFinite(n) && n >= 0) return Math.min(Math.max(1, Math.ceil(n)), 300);
  const at = header ? Date.parse(header) : NaN;
  return Number.isFinite(at) ? Math.min(Math.max(1, Math.ceil((at - Date.now()) / 1000)), 300) : 5;
}

function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e?.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  return code ?? e?.cause?.message ?? e?.message ?? 'network error';
}
