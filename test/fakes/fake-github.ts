import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake GitHub (OAuth web flow + REST API) on loopback, laid out like GitHub Enterprise Server:
 * OAuth under `/login/oauth/*` at `url`, the API under `/api/v3` (`apiUrl`). Point the app at it with
 * GITHUB_OAUTH_URL=url and GITHUB_API_URL=apiUrl.
 *
 * Which GitHub account "signs in" is chosen with `signInAs()` before the browser visits the
 * authorize page; the code issued there, and the token exchanged for it, stay bound to that account.
 */

export interface FakeGithubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url?: string;
  /** the public e-mail shown on the profile (GitHub's `/user` field), often null */
  email?: string | null;
}

export interface FakeGithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility?: 'public' | 'private' | null;
}

export interface FakeGithubAccount {
  user: FakeGithubUser;
  emails: FakeGithubEmail[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  /** the body parsed as a form or JSON, when it is one */
  params: Record<string, string>;
}

export interface IssuedToken {
  token: string;
  scope: string;
  account: FakeGithubAccount;
}

export interface FakeGithub {
  /** the OAuth base (GITHUB_OAUTH_URL) */
  url: string;
  /** the API base (GITHUB_API_URL) */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** every request received, oldest first */
  requests: RecordedRequest[];
  /** every access token handed out, oldest first */
  tokens: IssuedToken[];
  /** the account the next authorization signs in as */
  signInAs(account: FakeGithubAccount): void;
  requestsTo(path: string, method?: string): RecordedRequest[];
  /** the REST data the sync reads (users, repos, events, releases…), changeable by tests */
  data: FakeGithubData;
  /** hands out a token for `login` without the OAuth dance (the account must exist in `data` or be made up) */
  issueToken(login: string, options?: { id?: number }): string;
  /** a refresh token (GitHub App user tokens) for an issued token */
  issueRefreshToken(token: string): string;
  /** the token stops working: every call with it answers 401 */
  revokeToken(token: string): void;
  /** API calls (under /api/v3) so far, and how many cost rate limit (everything but 304 and 401) */
  apiCalls: { total: number; points: number; notModified: number };
  /** requests under /api/v3 for a path prefix, e.g. `/users/ada` */
  apiRequestsTo(prefix: string): RecordedRequest[];
  close(): Promise<void>;
}

interface PendingCode {
  account: FakeGithubAccount;
  clientId: string;
  redirectUri: string;
  scope: string;
}

const API_PREFIX = '/api/v3';

export const defaultGithubAccount = (): FakeGithubAccount => ({
  user: { id: 583231, login: 'octocat', name: 'The Octocat', avatar_url: 'https://avatars.example.test/u/583231' },
  emails: [{ email: 'octocat@github.example', primary: true, verified: true, visibility: 'public' }],
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseParams(contentType: string | undefined, body: string): Record<string, string> {
  if (!body) return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export async function startFakeGithub(options: { clientId?: string; clientSecret?: string; latencyMs?: number; expiringTokens?: boolean; recordRequests?: boolean } = {}): Promise<FakeGithub> {
  const clientId = options.clientId ?? 'Iv1.fakeclientid0001';
  const clientSecret = options.clientSecret ?? `fake-secret-${randomBytes(8).toString('hex')}`;
  const requests: RecordedRequest[] = [];
  const tokens: IssuedToken[] = [];
  const codes = new Map<string, PendingCode>();
  let nextAccount: FakeGithubAccount = defaultGithubAccount();
  const data = new FakeGithubData();
  const apiCalls = { total: 0, points: 0, notModified: 0 };
  const revoked = new Set<string>();
  const refreshTokens = new Map<string, IssuedToken>();

  // GitHub answers the token endpoint form-encoded unless the client asks for JSON
  function tokenAnswer(req: IncomingMessage, res: ServerResponse, value: Record<string, string>) {
    if ((req.headers.accept ?? '').includes('application/json')) return json(res, 200, value);
    const body = new URLSearchParams(value).toString();
    res.writeHead(200, { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function bearer(req: IncomingMessage): IssuedToken | undefined {
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return m ? tokens.find((t) => t.token === m[1]) : undefined;
  }

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake-github.local');
    const body = await readBody(req);
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: req.headers,
      body,
      params: parseParams(req.headers['content-type'], body),
    };
    if (options.recordRequests !== false) requests.push(rec);
    const route = `${rec.method} ${rec.path}`;
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));

    if (route === 'GET /login/oauth/authorize') {
      const { client_id, redirect_uri, state, scope } = rec.query;
      if (client_id !== clientId) return json(res, 404, { message: 'Not Found' });
      if (!redirect_uri) return json(res, 400, { error: 'redirect_uri_mismatch' });
      // the user "approves" at once
      const code = randomBytes(10).toString('hex');
      codes.set(code, { account: nextAccount, clientId: client_id, redirectUri: redirect_uri, scope: scope ?? '' });
      const back = new URL(redirect_uri);
      back.searchParams.set('code', code);
      if (state !== undefined) back.searchParams.set('state', state);
      res.writeHead(302, { Location: back.toString() });
      return res.end();
    }

    if (route === 'POST /login/oauth/access_token') {
      const p = rec.params;
      if (p.client_id !== clientId || p.client_secret !== clientSecret) {
        return tokenAnswer(req, res, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' });
      }
      if (p.grant_type === 'refresh_token') {
        const old = refreshTokens.get(p.refresh_token ?? '');
        if (!old) return json(res, 400, { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' });
        refreshTokens.delete(p.refresh_token!);
        revoked.add(old.token);
        const issued: IssuedToken = { token: `ghu_${randomBytes(18).toString('hex')}`, scope: old.scope, account: old.account };
        tokens.push(issued);
        const refresh = `ghr_${randomBytes(18).toString('hex')}`;
        refreshTokens.set(refresh, issued);
        return tokenAnswer(req, res, { access_token: issued.token, token_type: 'bearer', scope: issued.scope, expires_in: '28800', refresh_token: refresh });
      }
      const pending = p.code ? codes.get(p.code) : undefined;
      // a code works once, for the app and callback it was issued to
      if (!pending || pending.clientId !== p.client_id || (p.redirect_uri && p.redirect_uri !== pending.redirectUri)) {
        return tokenAnswer(req, res, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      codes.delete(p.code);
      const issued: IssuedToken = { token: `gho_${randomBytes(18).toString('hex')}`, scope: pending.scope, account: pending.account };
      tokens.push(issued);
      if (options.expiringTokens) {
        const refresh = `ghr_${randomBytes(18).toString('hex')}`;
        refreshTokens.set(refresh, issued);
        return tokenAnswer(req, res, { access_token: issued.token, token_type: 'bearer', scope: issued.scope, expires_in: '28800', refresh_token: refresh });
      }
      return tokenAnswer(req, res, { access_token: issued.token, token_type: 'bearer', scope: issued.scope });
    }

    if (rec.path.startsWith(`${API_PREFIX}/`)) {
      const answer = data.answer(rec, req.headers, bearer(req), revoked, apiCalls);
      if (answer) {
        res.writeHead(answer.status, answer.headers);
        return res.end(answer.body);
      }
      const token = bearer(req);
      if (!token) return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const scopes = token.scope.split(/[ ,]+/).filter(Boolean);
      const headers = { 'X-OAuth-Scopes': scopes.join(', ') };
      const { user, emails } = token.account;
      if (route === `GET ${API_PREFIX}/user`) {
        return json(res, 200, { avatar_url: null, email: null, type: 'User', html_url: `https://github.example/${user.login}`, ...user }, headers);
      }
      if (route === `GET ${API_PREFIX}/user/emails`) {
        // as on GitHub: listing e-mails needs the user:email (or user) scope
        if (!scopes.includes('user:email') && !scopes.includes('user')) return json(res, 404, { message: 'Not Found' }, headers);
        return json(res, 200, emails.map((e) => ({ visibility: null, ...e })), headers);
      }
    }
    json(res, 404, { message: 'Not Found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    clientId,
    clientSecret,
    requests,
    tokens,
    signInAs(account) {
      nextAccount = account;
    },
    requestsTo(path, method) {
      return requests.filter((r) => r.path === path && (!method || r.method === method));
    },
    data,
    apiCalls,
    issueToken(login, opts = {}) {
      const issued: IssuedToken = { token: `gho_${randomBytes(18).toString('hex')}`, scope: 'read:user,user:email', account: { user: { id: opts.id ?? data.users.get(login.toLowerCase())?.user.id ?? Math.floor(Math.random() * 1e7), login, name: login }, emails: [] } };
      tokens.push(issued);
      return issued.token;
    },
    revokeToken(token) {
      revoked.add(token);
    },
    issueRefreshToken(token) {
      const issued = tokens.find((x) => x.token === token);
      if (!issued) throw new Error('unknown token');
      const refresh = `ghr_${randomBytes(18).toString('hex')}`;
      refreshTokens.set(refresh, issued);
      return refresh;
    },
    apiRequestsTo(prefix) {
      return requests.filter((r) => r.path.startsWith(`${API_PREFIX}${prefix}`));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// ---- the REST data the GitHub sync reads -------------------------------------------------------

export interface FakeGhUser {
  id: number;
  login: string;
  name?: string | null;
  bio?: string | null;
  company?: string | null;
  location?: string | null;
  blog?: string | null;
  followers?: number;
  public_repos?: number;
  avatar_url?: string | null;
}

export interface FakeGhRepo {
  name: string;
  fork?: boolean;
  stargazers_count?: number;
  description?: string | null;
  language?: string | null;
  created_at?: string;
  pushed_at?: string;
}

export interface FakeGhRelease {
  id: number;
  tag_name: string;
  name?: string | null;
  published_at?: string;
  draft?: boolean;
}

/** A GitHub event as the API shapes it (id, type, actor, repo, payload, created_at). */
export type FakeGhEvent = Record<string, unknown> & { id: string; type: string; created_at: string };

export interface FakeGhProfile {
  user: FakeGhUser;
  repos: FakeGhRepo[];
  /** public events, newest first */
  events: FakeGhEvent[];
  social: Array<{ provider: string; url: string }>;
  releases: Record<string, FakeGhRelease[]>;
  /** the user's own feed (GET /users/{u}/events with their token), newest first */
  ownEvents: FakeGhEvent[];
}

interface Budget {
  limit: number;
  remaining: number;
  reset: number;
}

/**
 * Users, repositories, events and releases served under /api/v3 with ETags (a 304 for a matching
 * If-None-Match costs nothing), x-ratelimit-* headers per token (5,000 an hour; 60 without one),
 * 404 for unknown users, 301 for renamed ones, 401 for revoked tokens.
 */
export class FakeGithubData {
  readonly users = new Map<string, FakeGhProfile>();
  /** old login (lower-cased) → the account's id, answered with a 301 to /user/{id} */
  readonly renamed = new Map<string, number>();
  private readonly budgets = new Map<string, Budget>();
  /** the next answers to these paths (under /api/v3) are this status with these headers, once each */
  readonly failNext: Array<{ path: string; status: number; headers?: Record<string, string> }> = [];
  now = () => Date.now();

  setUser(login: string, profile: Partial<Omit<FakeGhProfile, "user">> & { user?: Partial<FakeGhUser> } = {}): FakeGhProfile {
    const key = login.toLowerCase();
    const current = this.users.get(key);
    const p: FakeGhProfile = {
      user: { id: 1000 + this.users.size, login, name: login, bio: null, company: null, location: null, blog: null, followers: 0, public_repos: 0, ...(current?.user ?? {}), ...(profile.user ?? {}) },
      repos: profile.repos ?? current?.repos ?? [],
      events: profile.events ?? current?.events ?? [],
      social: profile.social ?? current?.social ?? [],
      releases: profile.releases ?? current?.releases ?? {},
      ownEvents: profile.ownEvents ?? current?.ownEvents ?? [],
    };
    this.users.set(key, p);
    return p;
  }

  user(login: string): FakeGhProfile {
    const p = this.users.get(login.toLowerCase());
    if (!p) throw new Error(`fake GitHub has no user ${login}`);
    return p;
  }

  /** The account changes its login; the old one answers 301. */
  rename(oldLogin: string, newLogin: string) {
    const p = this.user(oldLogin);
    this.users.delete(oldLogin.toLowerCase());
    p.user.login = newLogin;
    this.users.set(newLogin.toLowerCase(), p);
    this.renamed.set(oldLogin.toLowerCase(), p.user.id);
  }

  /** Sets what is left of a token's hour (`null` = unauthenticated). */
  setBudget(token: string | null, remaining: number, resetAt: Date, limit?: number) {
    this.budgets.set(token ?? 'anonymous', { limit: limit ?? (token ? 5000 : 60), remaining, reset: Math.floor(resetAt.getTime() / 1000) });
  }

  budgetOf(token: string | null): Budget {
    const key = token ?? 'anonymous';
    let b = this.budgets.get(key);
    const nowS = Math.floor(this.now() / 1000);
    if (!b || b.reset <= nowS) {
      b = { limit: token ? 5000 : 60, remaining: token ? 5000 : 60, reset: nowS + 3600 };
      this.budgets.set(key, b);
    }
    return b;
  }

  private repoJson(owner: FakeGhUser, r: FakeGhRepo) {
    return {
      name: r.name,
      full_name: `${owner.login}/${r.name}`,
      fork: r.fork ?? false,
      stargazers_count: r.stargazers_count ?? 0,
      description: r.description ?? null,
      language: r.language ?? null,
      html_url: `https://github.example/${owner.login}/${r.name}`,
      created_at: r.created_at ?? '2020-01-01T00:00:00Z',
      pushed_at: r.pushed_at ?? '2020-01-01T00:00:00Z',
    };
  }

  private body(path: string, query: Record<string, string>, token: IssuedToken | undefined): { status: number; value?: unknown; location?: string } {
    let m = /^\/user\/(\d+)$/.exec(path);
    if (m) {
      const p = [...this.users.values()].find((u) => u.user.id === Number(m![1]));
      return p ? { status: 200, value: this.userJson(p.user) } : { status: 404 };
    }
    m = /^\/users\/([^/]+)(\/.*)?$/.exec(path);
    if (m) {
      const login = decodeURIComponent(m[1]!).toLowerCase();
      const rest = m[2] ?? '';
      const p = this.users.get(login);
      if (!p) {
        const id = this.renamed.get(login);
        return id !== undefined && rest === '' ? { status: 301, location: `/user/${id}` } : { status: 404 };
      }
      if (rest === '') return { status: 200, value: this.userJson(p.user) };
      if (rest === '/repos') return { status: 200, value: p.repos.map((r) => this.repoJson(p.user, r)) };
      if (rest === '/events/public') return { status: 200, value: p.events.slice(0, Number(query.per_page ?? 30)) };
      if (rest === '/social_accounts') return { status: 200, value: p.social };
      if (rest === '/events') {
        // private events too, but only for the user themself; others see the public feed
        const own = token && token.account.user.login.toLowerCase() === login;
        return { status: 200, value: (own ? p.ownEvents : p.events).slice(0, 30) };
      }
      return { status: 404 };
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/releases$/.exec(path);
    if (m) {
      const p = this.users.get(decodeURIComponent(m[1]!).toLowerCase());
      const repo = p?.repos.find((r) => r.name.toLowerCase() === decodeURIComponent(m![2]!).toLowerCase());
      if (!p || !repo) return { status: 404 };
      const list = p.releases[repo.name] ?? [];
      return {
        status: 200,
        value: list.slice(0, Number(query.per_page ?? 30)).map((r) => ({ ...r, name: r.name ?? r.tag_name, draft: r.draft ?? false, html_url: `https://github.example/${p.user.login}/${repo.name}/releases/tag/${r.tag_name}`, published_at: r.published_at ?? '2020-01-01T00:00:00Z' })),
      };
    }
    return { status: -1 };
  }

  private userJson(u: FakeGhUser) {
    return { type: 'User', html_url: `https://github.example/${u.login}`, avatar_url: `https://avatars.example.test/u/${u.id}`, public_repos: 0, followers: 0, ...u };
  }

  /** The answer to an API request this class serves; null for the routes the OAuth fake serves itself. */
  answer(rec: RecordedRequest, headers: IncomingMessage['headers'], token: IssuedToken | undefined, revoked: Set<string>, calls: { total: number; points: number; notModified: number }): { status: number; headers: Record<string, string | number>; body: string } | null {
    const path = rec.path.slice(API_PREFIX.length);
    if (path === '/user' || path === '/user/emails') return null;
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? '');
    calls.total++;
    if (auth && (!token || revoked.has(auth[1]!))) {
      return { status: 401, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'Bad credentials' }) };
    }
    const b = this.budgetOf(token?.token ?? null);
    const rate = () => ({ 'x-ratelimit-limit': b.limit, 'x-ratelimit-remaining': b.remaining, 'x-ratelimit-reset': b.reset, 'x-ratelimit-used': b.limit - b.remaining });
    const forced = this.failNext.findIndex((f) => f.path === path);
    if (forced >= 0) {
      const f = this.failNext.splice(forced, 1)[0]!;
      calls.points++;
      return { status: f.status, headers: { 'Content-Type': 'application/json', ...rate(), ...(f.headers ?? {}) }, body: JSON.stringify({ message: 'forced' }) };
    }
    if (b.remaining <= 0) {
      return { status: 403, headers: { 'Content-Type': 'application/json', ...rate() }, body: JSON.stringify({ message: 'API rate limit exceeded' }) };
    }
    const r = this.body(path, rec.query, token);
    if (r.status === -1) return null;
    if (r.status === 301) {
      b.remaining--;
      calls.points++;
      return { status: 301, headers: { Location: `${API_PREFIX}${r.location}`, 'Content-Type': 'application/json', ...rate() }, body: JSON.stringify({ message: 'Moved Permanently' }) };
    }
    if (r.status !== 200) {
      b.remaining--;
      calls.points++;
      return { status: r.status, headers: { 'Content-Type': 'application/json', ...rate() }, body: JSON.stringify({ message: 'Not Found' }) };
    }
    const body = JSON.stringify(r.value);
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (headers['if-none-match'] === etag) {
      // as on GitHub: a conditional request answered 304 does not count against the rate limit
      calls.notModified++;
      return { status: 304, headers: { ETag: etag, ...rate() }, body: '' };
    }
    b.remaining--;
    calls.points++;
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8', ETag: etag, 'Content-Length': Buffer.byteLength(body), ...rate() }, body };
  }
}
