import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException, UnsupportedMediaTypeException } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ThrottlerException, ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { Response } from 'express';
import { ApiKeysService } from '../../api-keys/api-keys.service';
import { ApiRequest, bearerToken } from './api-request';
import { clientKey } from './client-key';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Resolves `Authorization: Bearer <key>` into a principal; refuses nothing itself. */
@Injectable()
export class ApiKeyResolveGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    if (req.apiPrincipal !== undefined) return true;
    const token = bearerToken(req);
    req.apiPrincipal = token ? await this.keys.authenticate(token) : null;
    req.apiKeyRejected = token !== null && !req.apiPrincipal;
    return true;
  }
}

/**
 * @nestjs/throttler, tracked per account (all of its keys share one budget, so making more keys does
 * not multiply the limit) with the limit of the owner's plan; requests without a valid key are tracked
 * per client IP, an IPv6 client per /64 (X-Forwarded-For only counts through the proxies TRUST_PROXY names).
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as ApiRequest;
    return r.apiPrincipal ? `user:${r.apiPrincipal.userId}` : `ip:${clientKey(r.ip)}`;
  }

  /** @nestjs/throttler sets only Retry-After on a 429; the contract wants the X-RateLimit-* headers on every response. */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    const wait = Math.max(1, detail.timeToBlockExpire);
    res.setHeader('X-RateLimit-Limit', detail.limit);
    res.setHeader('X-RateLimit-Remaining', 0);
    res.setHeader('X-RateLimit-Reset', Math.max(wait, detail.timeToExpire));
    res.setHeader('Retry-After', wait);
    throw new ThrottlerException(`Rate limit exceeded: ${detail.limit} requests per minute. Try again in ${wait} s.`);
  }
}

/** 401 without a valid key, 403 when a read key tries to write. */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    if (!req.apiPrincipal) {
      throw new UnauthorizedException(req.apiKeyRejected ? 'The API key is invalid or has been revoked.' : 'Send an API key: Authorization: Bearer dh_…');
    }
    if (WRITE_METHODS.has(req.method) && req.apiPrincipal.scope !== 'write') {
      throw new ForbiddenException('This API key is read-only. Create a key with the write scope to change data.');
    }
    return true;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const QUERY_PARAM = '4:'; // RouteParamtypes.QUERY

/**
 * The API speaks JSON only: a body in another format is a 415 rather than being ignored (text/plain)
 * or half-understood (form encoding). A route that takes no query parameters refuses unknown ones,
 * as the ValidationPipe does on routes with a query DTO.
 */
@Injectable()
export class ApiRequestShapeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<ApiRequest>();
    if (BODY_METHODS.has(req.method) && hasBody(req) && !req.is(['application/json', '+json'])) {
      throw new UnsupportedMediaTypeException(`Send the body as JSON with Content-Type: application/json (got ${req.get('content-type') ?? 'no content type'}).`);
    }
    if (!takesQuery(context)) {
      const unknown = Object.keys(req.query ?? {});
      if (unknown.length) throw new BadRequestException(unknown.map((k) => `property ${k} should not exist`).join('; '));
    }
    return true;
  }
}

/** Whether the route reads @Query(); looked up once per handler, not on every request. */
const queryRoutes = new WeakMap<object, boolean>();
function takesQuery(context: ExecutionContext): boolean {
  const handler = context.getHandler();
  let takes = queryRoutes.get(handler);
  if (takes === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
    takes = Object.keys(args).some((k) => k.startsWith(QUERY_PARAM));
    queryRoutes.set(handler, takes);
  }
  return takes;
}

function hasBody(req: ApiRequest): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
