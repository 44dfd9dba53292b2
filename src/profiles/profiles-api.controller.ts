import { Controller, Get, HttpCode, Inject, Options, Param, Req, Res } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Response } from 'express';
import { RATE_LIMIT_STORAGE, RATE_WINDOW_MS } from '../api-keys/api-keys.module';
import { clientKey } from '../common/api/client-key';
import type { AppRequest } from '../common/http/request-types';
import { ProfileNotFoundException, RateLimitedException } from './profiles.errors';
import { ProfilePagesService } from './profile-pages.service';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, OPTIONS',
  'Access-Control-Max-Age': '86400',
};

/** Requests per minute and client IP on GET /api/profiles/@:username. */
export const PUBLIC_API_LIMIT = 60;

/**
 * `GET /api/profiles/@:username`: public fields only, open to any origin, limited per client IP
 * (an IPv6 client per /64).
 * The counters live in the API's rate-limit store (Redis with REDIS_URL, so every instance shares
 * them), under their own name: a profile lookup does not use up the keyed API's per-IP budget.
 */
@Controller('api/profiles')
export class ProfilesApiController {
  constructor(
    private readonly pages: ProfilePagesService,
    @Inject(RATE_LIMIT_STORAGE) private readonly counters: ThrottlerStorage,
  ) {}

  @Get('@:username')
  async get(@Req() req: AppRequest, @Res() res: Response, @Param('username') username: string) {
    const hit = await this.counters.increment(`ip:${clientKey(req.ip)}`, RATE_WINDOW_MS, PUBLIC_API_LIMIT, RATE_WINDOW_MS, 'profiles');
    const headers: Record<string, string> = {
      ...CORS,
      'X-RateLimit-Limit': String(PUBLIC_API_LIMIT),
      'X-RateLimit-Remaining': String(Math.max(0, PUBLIC_API_LIMIT - hit.totalHits)),
      'X-RateLimit-Reset': String(hit.timeToExpire),
    };
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (hit.isBlocked) throw new RateLimitedException({ ...headers, 'Retry-After': String(hit.timeToExpire) });
    const r = await this.pages.api(username);
    if (r.kind === 'none') throw new ProfileNotFoundException();
    if (r.kind === 'redirect') {
      // like the page's 301s: an old username can be taken again after 90 days, so never cached forever
      res.setHeader('Cache-Control', 'public, max-age=3600');
      return res.redirect(301, r.location);
    }
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json(r.value);
  }

  @Options('@:username')
  @HttpCode(204)
  preflight(@Res({ passthrough: true }) res: Response) {
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
  }
}
