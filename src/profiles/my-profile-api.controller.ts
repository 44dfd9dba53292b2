import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { ApiPrincipal } from '../api-keys/api-keys.service';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { ProfilesService } from './profiles.service';

export class MyProfileResponseDto {
  @ApiProperty({ example: 'ada' }) username: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName: string;
  @ApiProperty({ description: 'false: the URL answers 404 to everyone else until published at /settings/profile' }) isPublic: boolean;
  @ApiProperty({ example: 'http://localhost:3000/@ada', description: 'The public page; its QR code is at `${url}/qr.svg`' }) url: string;
}

/** The key owner's own public profile (the CLI's `devhub profile`); 404 until one is saved. */
@ApiTags('profiles')
@ApiEndpoint()
@Controller('api/profile')
export class MyProfileApiController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get()
  @ApiOperation({ summary: 'Your own profile: username, URL and whether it is public' })
  @ApiOkResponse({ type: MyProfileResponseDto })
  async mine(@Principal() p: ApiPrincipal): Promise<MyProfileResponseDto> {
    const profile = await this.profiles.ownerSummary(p.userId);
    if (!profile) throw new NotFoundException('You have no profile yet: create one at /settings/profile.');
    return profile;
  }
}
