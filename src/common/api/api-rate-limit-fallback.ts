import { Injectable } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { ApiKeyResolveGuard, ApiThrottlerGuard } from './api-guards';
import type { ApiRequest } from './api-request';

/** Stands in for the route an unmatched /api request did not reach (no per-route metadata). */
class UnmatchedApiRoute {
  handle() {
    return undefined;
  }
}

/**
 * Some /api answers are decided before any route's guards run: a path or method no route has (404)
 * and bodies the body parser refuses (malformed JSON 400, over the size limit 413). The exception
 * filter calls this for them, so they are counted and carry the same X-RateLimit-* headers as every
 * other API response, and an over-limit client gets its 429 here too.
 */
@Injectable()
export class ApiRateLimitFallback {
  constructor(
    private readonly resolve: ApiKeyResolveGuard,
    private readonly throttler: ApiThrottlerGuard,
  ) {}

  /** Counts the request; resolves to a ThrottlerException to send instead when over the limit. */
  async apply(req: ApiRequest, res: Response): Promise<ThrottlerException | null> {
    const context = new ExecutionContextHost([req, res], UnmatchedApiRoute, UnmatchedApiRoute.prototype.handle);
    context.setType('http');
    await this.resolve.canActivate(context);
    try {
      await this.throttler.canActivate(context);
      return null;
    } catch (err) {
      if (err instanceof ThrottlerException) return err;
      throw err;
    }
  }
}
