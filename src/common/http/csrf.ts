import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { randomToken } from '../crypto/tokens';
import { AppRequest, isApiPath } from './request-types';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function ensureCsrfToken(req: AppRequest): string {
  // paths served without a session (public pages, /api) have no forms to protect
  if (!req.session) return '';
  req.session.csrfToken ??= randomToken(24);
  return req.session.csrfToken;
}

/** Makes `{{csrfToken}}` available to every view; the token is created only when a view uses it. */
export function csrfLocals(req: AppRequest, res: Response, next: NextFunction) {
  Object.defineProperty(res.locals, 'csrfToken', { get: () => ensureCsrfToken(req), enumerable: true, configurable: true });
  next();
}

function matches(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Synchronizer-token CSRF protection for every state-changing request outside /api (the API
 * authenticates with bearer keys and never reads cookies). Runs as a global guard, so a refused
 * request reaches no handler and changes nothing.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AppRequest>();
    if (SAFE.has(req.method) || isApiPath(req.path)) return true;
    const body = req.body as Record<string, unknown> | undefined;
    const given = body?._csrf ?? req.get('x-csrf-token') ?? req.query?._csrf;
    if (!matches(req.session?.csrfToken, given)) {
      throw new ForbiddenException('This form has expired or was not sent from DevHub. Go back, reload the page and try again.');
    }
    return true;
  }
}
