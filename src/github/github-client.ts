import { Inject, Injectable } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';

/** One answer of the GitHub REST API, as the sync needs it. */
export interface GithubResponse {
  status: number;
  /** the parsed body for 2xx; null otherwise */
  data: unknown;
  etag: string | null;
  /** x-ratelimit-* of the answer, when present */
  rate: { limit: number; remaining: number; resetAt: Date } | null;
  /** seconds from `retry-after` on a 403/429 */
  retryAfter: number | null;
  /** the path the answer came from after redirects (a renamed account) */
  finalUrl: string | null;
}

export interface GithubRequest {
  /** path under GITHUB_API_URL, with its query (`/users/ada/repos?sort=updated`) */
  path: string;
  token: string | null;
  etag?: string | null;
  signal?: AbortSignal;
}

/** The transport: injectable, so tests and the bench point it at a loopback fake. */
export abstract class GithubClient {
  abstract get(req: GithubRequest): Promise<GithubResponse>;
  /** Exchanges a refresh token (GitHub App user tokens) for a new pair; null when GitHub refuses. */
  abstract refreshToken(refreshToken: string): Promise<{ accessToken: string; refreshToken: string | null; expiresIn: number | null } | null>;
}

function header(headers: Record<string, unknown> | undefined, name: string): string | null {
  const v = headers?.[name];
  return v === undefined || v === null ? null : String(v);
}

/** The real client: @octokit/rest with GITHUB_API_URL as its base URL. */
@Injectable()
export class OctokitGithubClient extends GithubClient {
  private readonly octokit: Octokit;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    // one Octokit without auth: each request carries its own token (users' tokens differ)
    this.octokit = new Octokit({
      baseUrl: config.github.apiUrl,
      userAgent: 'DevHub',
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      request: { retries: 0 },
    });
  }

  async get({ path, token, etag, signal }: GithubRequest): Promise<GithubResponse> {
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (token) headers.authorization = `token ${token}`;
    if (etag) headers['if-none-match'] = etag;
    let status: number;
    let data: unknown = null;
    let resHeaders: Record<string, unknown> | undefined;
    let url: string | null = null;
    try {
      const res = await this.octokit.request(`GET ${path}`, { headers, request: { signal } });
      status = res.status;
      data = res.data;
      resHeaders = res.headers as Record<string, unknown>;
      url = res.url;
    } catch (err) {
      const e = err as { status?: number; response?: { headers?: Record<string, unknown>; url?: string } };
      if (typeof e.status !== 'number' || !e.response) throw err;
      status = e.status;
      resHeaders = e.response.headers;
      url = e.response.url ?? null;
    }
    const limit = header(resHeaders, 'x-ratelimit-limit');
    const remaining = header(resHeaders, 'x-ratelimit-remaining');
    const reset = header(resHeaders, 'x-ratelimit-reset');
    const retryAfter = header(resHeaders, 'retry-after');
    return {
      status,
      data: status >= 200 && status < 300 ? data : null,
      etag: header(resHeaders, 'etag'),
      rate: limit !== null && remaining !== null && reset !== null ? { limit: Number(limit), remaining: Number(remaining), resetAt: new Date(Number(reset) * 1000) } : null,
      retryAfter: retryAfter !== null && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : null,
      finalUrl: url,
    };
  }

  async refreshToken(refreshToken: string) {
    const { clientId, clientSecret, oauthUrl } = this.config.github;
    if (!clientId || !clientSecret) return null;
    const res = await fetch(`${oauthUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) return null;
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; expires_in?: number };
    if (!body.access_token) return null;
    return { accessToken: body.access_token, refreshToken: body.refresh_token ?? null, expiresIn: body.expires_in ?? null };
  }
}
