import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';

/** These POSTs take no fields: an empty JSON object (or no body) */
const NoBody = () => ApiBody({ required: false, schema: { type: 'object', additionalProperties: false } });
import type { ApiPrincipal } from '../api-keys/api-keys.service';
import { envelope } from '../common/api/api-dtos';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { InsightListDto, InsightListQueryDto, InsightResponseDto, SyncAcceptedDto, SyncStatusDto } from './dto/github-api.dto';
import { GithubJobsService } from './github-jobs.service';
import { InsightsService } from './insights.service';

@ApiTags('insights')
@ApiEndpoint()
@Controller('api/insights')
export class InsightsApiController {
  constructor(private readonly insights: InsightsService) {}

  @Get()
  @ApiOkResponse({ type: InsightListDto })
  async list(@Principal() p: ApiPrincipal, @Query() q: InsightListQueryDto) {
    const { items, total } = await this.insights.list(p.userId, { type: q.type, contactId: q.contactId, acknowledged: q.acknowledged, limit: q.limit, offset: q.offset });
    return envelope(items, total, q);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @NoBody()
  @ApiOkResponse({ type: InsightResponseDto })
  ack(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    return this.insights.acknowledge(p.userId, id);
  }
}

@ApiTags('sync')
@ApiEndpoint()
@Controller('api')
export class SyncApiController {
  constructor(private readonly jobs: GithubJobsService) {}

  @Post('sync')
  @HttpCode(202)
  @NoBody()
  @ApiAcceptedResponse({ type: SyncAcceptedDto, description: 'A GitHub sync of every due contact is queued' })
  syncAll(@Principal() p: ApiPrincipal) {
    return this.jobs.accept(p.userId);
  }

  @Get('sync/:id')
  @ApiOkResponse({ type: SyncStatusDto })
  status(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    return this.jobs.status(p.userId, id);
  }

  @Post('contacts/:id/sync')
  @HttpCode(202)
  @NoBody()
  @ApiAcceptedResponse({ type: SyncAcceptedDto, description: 'A GitHub sync of this contact is queued' })
  syncContact(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    return this.jobs.accept(p.userId, id);
  }
}

export const GithubApiControllers = [InsightsApiController, SyncApiController];
