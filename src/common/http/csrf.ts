import { createHmac, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { randomToken } from '../crypto/tokens';
import { AppRequest, isApiPath } from './request-types';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** the anonymous visitor's CSRF nonce (HttpOnly); its HMAC is the form token */
export const CSRF_COOKIE = 'devhub.csrf';
/** the one form that cannot put _csrf in its body before the upload is parsed (multipart) */
const QUERY_TOKEN_ROUTE = /^\/settings\/account\/import\/?$/i;

type CsrfRequest = AppRequest & { csrfKey?: string; csrfNonce?: string; csrfSecureCookie?: boolean };

function readCookie(req: AppRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const signNonce = (key: string, nonce: string) => createHmac('sha256', key).update(`csrf:${nonce}`).digest('base64url');

/** The visitor's nonce, set as a cookie the first time a form needs it. */
function anonymousNonce(req: CsrfRequest, create: boolean): string | undefined {
  if (req.csrfNonce) return req.csrfNonce;
  const existing = readCookie(req, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{20,64}$/.test(existing)) return (req.csrfNonce = existing);
  if (!create || !req.res || req.res.headersSent) return undefined;
  req.csrfNonce = randomToken(24);
  req.res.cookie(CSRF_COOKIE, req.csrfNonce, { httpOnly: true, sameSite: 'lax', secure: req.csrfSecureCookie === true, path: '/' });
  return req.csrfNonce;
}

/**
 * The token a form carries. Signed in: a synchronizer token kept in the session. Anonymous (log-in,
 * sign-up, password forms): a signed double-submit token, so a visitor who has not logged in costs
 * no session row: an HttpOnly cookie holds a random nonce and the form holds its HMAC under the
 * session secret, which a cross-site page can neither read nor forge.
 */
export function ensureCsrfToken(req: AppRequest): string {
  const r = req as CsrfRequest;
  // paths served without a session (public pages, /api) have no forms to protect
  if (!req.session || !r.csrfKey) return '';
  if (req.session.userId) {
    req.session.csrfToken ??= randomToken(24);
    return req.session.csrfToken;
  }
  const nonce = anonymousNonce(r, true);
  return nonce ? signNonce(r.csrfKey, nonce) : '';
}

/** Makes `{{csrfToken}}` available to every view; the token is created only when a view uses it. */
export function csrfLocals(secret: string, secureCookie: boolean) {
  return (req: AppRequest, res: Response, next: NextFunction) => {
    (req as CsrfRequest).csrfKey = secret;
    (req as CsrfRequest).csrfSecureCookie = secureCookie;
    Object.defineProperty(res.locals, 'csrfToken', { get: () => ensureCsrfToken(req), enumerable: true, configurable: true });
    next();
  };
}

function matches(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function expectedToken(req: CsrfRequest): string | undefined {
  if (!req.session || !req.csrfKey) return undefined;
  if (req.session.userId) return req.session.csrfToken;
  const nonce = anonymousNonce(req, false);
  return nonce ? signNonce(req.csrfKey, nonce) : undefined;
}

/**
 * CSRF protection for every state-changing request outside /api (the API authenticates with bearer
 * keys and never reads cookies). Runs as a global guard, so a refused request reaches no handler and
 * changes nothing. The token comes from the form body or the X-CSRF-Token header; from the query
 * string only on the multipart import route.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<CsrfRequest>();
    if (SAFE.has(req.method) || isApiPath(req.path)) return true;
    const body = req.body as Record<string, unknown> | undefined;
    const given = body?._csrf ?? req.get('x-csrf-token') ?? (QUERY_TOKEN_ROUTE.test(req.path) ? req.query?._csrf : undefined);
    if (!matches(expectedToken(req), given)) {
      throw new ForbiddenException('This form has expired or was not sent from DevHub. Go back, reload the page and try again.');
    }
    return true;
  }
}
