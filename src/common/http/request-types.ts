import type { Request } from 'express';
import type { CurrentUser } from '../../auth/user.entity';

export interface FlashMessage {
  type: 'success' | 'error' | 'info';
  message: string;
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    csrfToken?: string;
    flash?: FlashMessage[];
    /** when the signed-in user last completed a GitHub sign-in (confirms sensitive changes on GitHub-only accounts) */
    githubConfirmedAt?: number;
    /** a secret shown once on the page a create redirects to (post/redirect/get), encrypted at rest */
    reveal?: { kind: 'api-key' | 'webhook'; id?: string; name?: string; scope?: string; secret: string };
  }
}

export type AppRequest = Request & { currentUser?: CurrentUser; requestId?: string };

export function flash(req: Request, type: FlashMessage['type'], message: string): void {
  (req.session.flash ??= []).push({ type, message });
}

/** Express routes ignore case (`/API/contacts` reaches the API), so this check does too. */
const API_PATH = /^\/api(\/|$)/i;
export const isApiPath = (path: string) => API_PATH.test(path);

/** Only same-site relative paths are followed after log-in, never another host. */
export function safeNext(next: unknown, fallback = '/dashboard'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
