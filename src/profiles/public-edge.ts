import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { hostnameFromHeader, isCustomDomainCandidate } from './custom-domain';
import { ProfilePagesService } from './profile-pages.service';
import { PublicProfilesService } from './public-profiles.service';

const ON_CUSTOM_DOMAIN = Symbol('devhub.customDomain');
type Marked = Request & { [ON_CUSTOM_DOMAIN]?: string };

export const isCustomDomainRequest = (req: Request): boolean => Boolean((req as Marked)[ON_CUSTOM_DOMAIN]);

const SESSION_COOKIE = 'devhub.sid=';
const PAGE_PATH = /^\/@([A-Za-z0-9-]{1,39})$/;

function plainNotFound(res: Response) {
  res.status(404).setHeader('Cache-Control', 'no-store');
  res.type('text/plain').send('Not Found');
}

/** How a profile page goes out, from here or from the controller. */
export function sendPage(res: Response, html: Buffer) {
  // written directly: no ETag to hash, since every request is a view to count anyway
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', html.length);
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Vary', 'Cookie');
  res.end(html);
}

/**
 * Runs early in the Express pipeline (app.setup.ts: after the request logger and helmet, before
 * static files, body parsers and sessions) and does two things:
 *
 * 1. Routes by `Host`. DevHub's own host (BASE_URL), IP addresses, localhost and single-label names
 *    pass through. Any other host is a custom domain: when a public profile holds it verified, `/`
 *    is that profile and its vCard, QR and /static paths work; every other path there, and every
 *    path of an unknown, unverified or removed domain, is a plain 404, so no DevHub page (log-in,
 *    dashboard) ever appears under someone else's domain.
 * 2. Serves `GET /@username` to visitors without a DevHub session cookie, who cannot be signed in:
 *    the page, the view count and the security headers are the same as through the controller, but
 *    the request skips the body parsers, session, passport and Nest's router. Anything else
 *    (a cookie, an old username, an unknown one, an error) falls through to the controller, which
 *    answers it the usual way.
 */
@Injectable()
export class PublicProfileEdge {
  private readonly baseHostname: string;
  private readonly logger = new Logger('CustomDomains');
  private readonly warned = new Set<string>();

  constructor(
    private readonly profiles: PublicProfilesService,
    private readonly pages: ProfilePagesService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.baseHostname = new URL(config.baseUrl).hostname.toLowerCase();
  }

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    // req.hostname honours X-Forwarded-Host when TRUST_PROXY is on
    const hostname = hostnameFromHeader(req.hostname);
    if (isCustomDomainCandidate(hostname, this.baseHostname)) {
      this.customDomain(req, res, next, hostname).catch(next);
      return;
    }
    this.anonymousPage(req, res, next);
  };

  private async customDomain(req: Request, res: Response, next: NextFunction, hostname: string) {
    const username = await this.profiles.usernameForDomain(hostname);
    if (!username) {
      this.warnOnce(hostname);
      return plainNotFound(res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plainNotFound(res);
    const own = `/@${username}`;
    const path = req.path;
    if (path === '/') {
      (req as Marked)[ON_CUSTOM_DOMAIN] = hostname;
      const query = req.url.indexOf('?');
      req.url = own + (query >= 0 ? req.url.slice(query) : '');
      return this.anonymousPage(req, res, next);
    }
    if (path.startsWith('/static/') || path === `${own}.vcf` || path === `${own}/qr.svg` || path === `${own}/qr.png`) {
      (req as Marked)[ON_CUSTOM_DOMAIN] = hostname;
      return next();
    }
    plainNotFound(res);
  }

  /** A whole site answering 404 is usually a BASE_URL that is not the address people use: say so, once per host. */
  private warnOnce(hostname: string) {
    if (this.warned.size >= 100 || this.warned.has(hostname)) return;
    this.warned.add(hostname);
    this.logger.warn(`requests for host ${hostname} get 404: it is neither BASE_URL's host (${this.baseHostname}) nor a verified custom domain`);
  }

  private anonymousPage(req: Request, res: Response, next: NextFunction) {
    const match = (req.method === 'GET' || req.method === 'HEAD') && PAGE_PATH.exec(req.path);
    if (!match || (req.headers.cookie ?? '').includes(SESSION_COOKIE)) return next();
    const handle = match[1]!;
    const countView = req.method === 'GET';
    const visit = { ip: req.ip ?? req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'], referrer: req.headers.referer, headers: req.headers };
    const cached = this.pages.cachedAnonymousPage(handle, countView, visit);
    if (cached) return sendPage(res, cached);
    this.pages
      .page({ handle, viewer: null, onCustomDomain: isCustomDomainRequest(req), csrfToken: () => '', flash: undefined, countView, visit })
      .then((r) => (r.kind === 'ok' ? sendPage(res, r.value) : next()))
      .catch(() => next());
  }
}
