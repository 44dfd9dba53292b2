import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { UsersService } from '../auth/users.service';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { ContactNotFoundError } from '../contacts/crm.errors';
import { ApiKeysService, ApiPrincipal } from './api-keys.service';

class RateLimitDto {
  @ApiProperty({ example: 100 }) limit: number;
  @ApiProperty({ example: 60 }) windowSeconds: number;
}

export class MeResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ enum: ['free', 'pro', 'premium'] }) plan: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ enum: ['read', 'write'] }) scope: string;
  @ApiProperty({ type: RateLimitDto }) rateLimit: RateLimitDto;
}

@ApiTags('me')
@ApiEndpoint()
@Controller('api/me')
export class MeApiController {
  constructor(
    private readonly users: UsersService,
    private readonly keys: ApiKeysService,
  ) {}

  @Get()
  @ApiOkResponse({ type: MeResponseDto })
  async me(@Principal() p: ApiPrincipal): Promise<MeResponseDto> {
    const user = await this.users.findById(p.userId);
    if (!user) throw new ContactNotFoundError('User');
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      plan: user.plan,
      timezone: user.timezone,
      scope: p.scope,
      rateLimit: { limit: this.keys.limitFor(user.plan), windowSeconds: 60 },
    };
  }

  /** `devhub logout`: a tool can give up its own key without knowing its id. */
  @Delete('key')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the API key this request is made with (needs a write key); later requests with it get 401' })
  @ApiNoContentResponse({ description: 'Revoked' })
  async revokeCurrentKey(@Principal() p: ApiPrincipal): Promise<void> {
    await this.keys.revoke(p.userId, p.keyId);
  }
}
