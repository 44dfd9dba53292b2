import { applyDecorators, ArgumentMetadata, BadRequestException, Injectable, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { ErrorResponseDto } from './api-dtos';
import { ApiAuthGuard, ApiKeyResolveGuard, ApiRequestShapeGuard, ApiThrottlerGuard } from './api-guards';

const TYPE_CHECKS = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isIn', 'isUuid', 'isEnum', 'isArray', 'isObject']);

/**
 * One message per problem, naming the field: "property foo should not exist" for unknown fields,
 * "name is required" for missing ones, "email: Enter a valid e-mail address" for bad values.
 */
export function validationMessages(errors: ValidationError[], prefix = ''): string[] {
  const out = errors.flatMap((e): string[] => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = e.constraints ?? {};
    let own: string[];
    if (constraints.whitelistValidation) own = [`property ${path} should not exist`];
    else if (e.value === undefined && Object.keys(constraints).length) own = [`${path} is required`];
    else {
      // a value of the wrong type fails every check; its type is the one worth reporting
      const typeChecks = Object.keys(constraints).filter((k) => TYPE_CHECKS.has(k));
      const chosen = typeChecks.length ? typeChecks : Object.keys(constraints);
      own = chosen.map((k) => constraints[k]).map((m) => (m.startsWith(e.property) ? (prefix ? `${prefix}.${m}` : m) : `${path}: ${m}`));
    }
    return [...own, ...validationMessages(e.children ?? [], path)];
  });
  return [...new Set(out)];
}

/**
 * Validation for JSON bodies and queries: unknown fields are a 400 that names them
 * ("property foo should not exist"), nothing is stripped silently. A body must be a JSON object:
 * an array would otherwise be validated index by index ("property 0 should not exist").
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      exceptionFactory: (errors) => new BadRequestException(validationMessages(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type === 'body' && value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new BadRequestException(`The request body must be a JSON object, not ${Array.isArray(value) ? 'an array' : typeof value}.`);
    }
    return super.transform(value ?? (metadata.type === 'body' ? {} : value), metadata);
  }
}

export const apiValidationPipe = new ApiValidationPipe();

const RATE_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this key (per client IP without a valid key)', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before the next request', schema: { type: 'integer' } } };

/**
 * Every API route: bearer key, per-key throttling with rate-limit headers, scope check, JSON-only
 * bodies, strict validation. The rate-limit headers are added to every documented response in
 * openapi.ts, so success responses carry them too.
 */
export function ApiEndpoint() {
  return applyDecorators(
    UseGuards(ApiKeyResolveGuard, ApiThrottlerGuard, ApiAuthGuard, ApiRequestShapeGuard),
    UsePipes(apiValidationPipe),
    ApiBearerAuth('apiKey'),
    ApiResponse({ status: 400, description: 'Bad or unknown fields, malformed JSON, a body that is not a JSON object', type: ErrorResponseDto }),
    ApiResponse({ status: 401, description: 'No API key, or an unknown or revoked one', type: ErrorResponseDto }),
    ApiResponse({ status: 403, description: 'A read key used for a write', type: ErrorResponseDto }),
    ApiResponse({ status: 404, description: 'Not found, or not yours', type: ErrorResponseDto }),
    ApiResponse({ status: 429, description: 'Over the per-minute limit', type: ErrorResponseDto, headers: RETRY_AFTER }),
  );
}

export { RATE_HEADERS, RETRY_AFTER };
