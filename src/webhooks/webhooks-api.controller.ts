import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ApiPrincipal } from '../api-keys/api-keys.service';
import { envelope, ListQueryDto } from '../common/api/api-dtos';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { EVENT_TYPES } from '../outbox/outbox.service';
import { WebhooksService } from './webhooks.service';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://example.com/hooks/devhub', maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiPropertyOptional({ type: [String], description: `Event types or wildcards (contact.*); empty or missing = all. Types: ${EVENT_TYPES.join(', ')}` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  events?: string[];

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String], description: 'empty = all events' }) events: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, nullable: true }) disabledReason: string | null;
  @ApiProperty() consecutiveFailures: number;
  @ApiProperty({ description: 'a rotated secret still signs alongside for 24 hours' }) rotating: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  @ApiProperty({ description: 'whsec_… signing secret, shown only in this answer', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookResponseDto] }) data: WebhookResponseDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

@ApiTags('webhooks')
@ApiEndpoint()
@Controller('api/webhooks')
export class WebhooksApiController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiOkResponse({ type: WebhookListDto })
  async list(@Principal() p: ApiPrincipal, @Query() q: ListQueryDto) {
    const { items, total } = await this.webhooks.page(p.userId, q.limit, q.offset);
    return envelope(items, total, q);
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto })
  async create(@Principal() p: ApiPrincipal, @Body() body: CreateWebhookDto) {
    const { endpoint, secret } = await this.webhooks.create(p.userId, body);
    return { ...endpoint, secret };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted with its delivery log' })
  async remove(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    await this.webhooks.remove(p.userId, id);
  }
}
