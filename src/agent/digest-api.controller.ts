import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ApiPrincipal } from '../api-keys/api-keys.service';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { DigestJobs } from './digest.jobs';
import { DigestNotFoundError, DigestService } from './digest.service';
import { BuildDigestDto, DigestJobDto, DigestResponseDto } from './dto/digest-api.dto';

@ApiTags('digest')
@ApiEndpoint()
@Controller('api/digest')
export class DigestApiController {
  constructor(
    private readonly digest: DigestService,
    private readonly jobs: DigestJobs,
  ) {}

  @Get('latest')
  @ApiOkResponse({ type: DigestResponseDto, description: 'The newest digest (404 when none was built yet)' })
  async latest(@Principal() p: ApiPrincipal) {
    const view = await this.digest.latest(p.userId);
    if (!view) throw new DigestNotFoundError();
    return view;
  }

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: DigestResponseDto, description: "Today's digest, already built" })
  @ApiAcceptedResponse({ type: DigestJobDto, description: 'A build was queued; GET /api/digest/latest shows it when done' })
  @ApiBody({ type: BuildDigestDto, required: false, description: 'No fields' })
  async build(@Principal() p: ApiPrincipal, @Res({ passthrough: true }) res: Response) {
    const out = await this.jobs.requestBuild(p.userId, p.timezone);
    if ('digest' in out) return out.digest;
    res.status(202);
    return { jobId: out.jobId, state: 'queued' };
  }
}
