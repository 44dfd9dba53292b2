import { Controller, Get, HttpCode, Options, Param, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AppRequest } from '../common/http/request-types';
import { ProfileNotFoundException, RateLimitedException } from './profiles.errors';
import { ProfilePagesService } from './profile-pages.service';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, OPTIONS',
  'Access-Control-Max-Age': '86400',
};

/** `GET /api/profiles/@:username`: public fields only, open to any origin, limited per IP. */
@Controller('api/profiles')
export class ProfilesApiController {
  constructor(private readonly pages: ProfilePagesService) {}

  @Get('@:username')
  async get(@Req() req: AppRequest, @Res() res: Response, @Param('username') username: string) {
    const quota = this.pages.takeApiQuota(req.ip ?? '');
    const headers: Record<string, string> = {
      ...CORS,
      'X-RateLimit-Limit': String(quota.limit),
      'X-RateLimit-Remaining': String(quota.remaining),
      'X-RateLimit-Reset': String(quota.resetSeconds),
    };
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (!quota.allowed) throw new RateLimitedException({ ...headers, 'Retry-After': String(quota.resetSeconds) });
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
