import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ApiPrincipal } from '../../api-keys/api-keys.service';
import type { ApiRequest } from './api-request';

/** The API key's owner (routes behind ApiEndpoint()). */
export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiPrincipal => {
  return ctx.switchToHttp().getRequest<ApiRequest>().apiPrincipal!;
});
