import type { Request } from 'express';
import type { ApiPrincipal } from '../../api-keys/api-keys.service';

export type ApiRequest = Request & {
  apiPrincipal?: ApiPrincipal | null;
  /** a key was presented but is unknown, revoked or malformed */
  apiKeyRejected?: boolean;
};

/** The bearer token, if the request carries one. Cookies are never looked at. */
export function bearerToken(req: Request): string | null {
  const header = req.get('authorization');
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}
