import { applyDecorators, UseGuards, UsePipes, ValidationPipe, BadRequestException } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { ErrorResponseDto } from './api-dtos';
import { ApiAuthGuard, ApiKeyResolveGuard, ApiThrottlerGuard } from './api-guards';

function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) || m.includes('should not exist') ? m : `${path}: ${m}`));
    return [...own, ...messages(e.children ?? [], path)];
  });
}

/**
 * Validation for JSON bodies and queries: unknown fields are a 400 that names them
 * ("property foo should not exist"), nothing is stripped silently.
 */
export const apiValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  exceptionFactory: (errors) => new BadRequestException(messages(errors).join('; ')),
});

const RATE_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this key (per IP without a key)', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

/** Every API route: bearer key, per-key throttling with rate-limit headers, scope check, strict validation. */
export function ApiEndpoint() {
  return applyDecorators(
    UseGuards(ApiKeyResolveGuard, ApiThrottlerGuard, ApiAuthGuard),
    UsePipes(apiValidationPipe),
    ApiBearerAuth('apiKey'),
    ApiResponse({ status: 400, description: 'Bad or unknown fields, malformed JSON', type: ErrorResponseDto, headers: RATE_HEADERS }),
    ApiResponse({ status: 401, description: 'No API key, or an unknown or revoked one', type: ErrorResponseDto, headers: RATE_HEADERS }),
    ApiResponse({ status: 403, description: 'A read key used for a write', type: ErrorResponseDto, headers: RATE_HEADERS }),
    ApiResponse({ status: 404, description: 'Not found, or not yours', type: ErrorResponseDto, headers: RATE_HEADERS }),
    ApiResponse({
      status: 429,
      description: 'Over the per-minute limit',
      type: ErrorResponseDto,
      headers: { ...RATE_HEADERS, 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    }),
  );
}

export { RATE_HEADERS };
export { ApiHeader };
