import { randomBytes } from 'node:crypto';
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

export async function startFakeGithub(options: { clientId?: string; clientSecret?: string } = {}): Promise<FakeGithub> {
  const clientId = options.clientId ?? 'Iv1.fakeclientid0001';
  const clientSecret = options.clientSecret ?? `fake-secret-${randomBytes(8).toString('hex')}`;
  const requests: RecordedRequest[] = [];
  const tokens: IssuedToken[] = [];
  const codes = new Map<string, PendingCode>();
  let nextAccount: FakeGithubAccount = defaultGithubAccount();

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
    requests.push(rec);
    const route = `${rec.method} ${rec.path}`;

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
      const pending = p.code ? codes.get(p.code) : undefined;
      // a code works once, for the app and callback it was issued to
      if (!pending || pending.clientId !== p.client_id || (p.redirect_uri && p.redirect_uri !== pending.redirectUri)) {
        return tokenAnswer(req, res, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      codes.delete(p.code);
      const issued: IssuedToken = { token: `gho_${randomBytes(18).toString('hex')}`, scope: pending.scope, account: pending.account };
      tokens.push(issued);
      return tokenAnswer(req, res, { access_token: issued.token, token_type: 'bearer', scope: issued.scope });
    }

    if (rec.path.startsWith(`${API_PREFIX}/`)) {
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
