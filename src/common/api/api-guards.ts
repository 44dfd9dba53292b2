import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiKeysService } from '../../api-keys/api-keys.service';
import { ApiRequest, bearerToken } from './api-request';

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
 * @nestjs/throttler, tracked per API key with the limit of the key owner's plan; requests without
 * a valid key are tracked per client IP (X-Forwarded-For only counts with TRUST_PROXY).
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as ApiRequest;
    return r.apiPrincipal ? `key:${r.apiPrincipal.keyId}` : `ip:${r.ip ?? 'unknown'}`;
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
