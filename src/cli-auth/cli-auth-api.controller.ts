import { Body, Controller, HttpCode, Ip, Post, UseGuards, UsePipes } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/api/api-dtos';
import { apiValidationPipe, RETRY_AFTER } from '../common/api/api-endpoint.decorator';
import { ApiRequestShapeGuard } from '../common/api/api-guards';
import { clientKey } from '../common/api/client-key';
import { CliAuthPollResponseDto, CliAuthRequestCreatedDto, CreateCliAuthRequestDto, PollCliAuthRequestDto } from './cli-auth.dto';
import { CliAuthService } from './cli-auth.service';

/** No API key here: this is how the CLI gets one. */
@ApiTags('cli log-in')
@UseGuards(ApiRequestShapeGuard)
@UsePipes(apiValidationPipe)
@ApiResponse({ status: 400, description: 'Bad or unknown fields', type: ErrorResponseDto })
@ApiResponse({ status: 429, description: 'Too many requests from this address', type: ErrorResponseDto, headers: RETRY_AFTER })
@Controller('api/cli/auth-requests')
export class CliAuthApiController {
  constructor(private readonly cliAuth: CliAuthService) {}

  @Post()
  @ApiOperation({ summary: 'Start a browser log-in: the person approves `code` at `verificationUrl`, the CLI polls with `pollToken`' })
  @ApiCreatedResponse({ type: CliAuthRequestCreatedDto })
  async create(@Body() body: CreateCliAuthRequestDto, @Ip() ip: string): Promise<CliAuthRequestCreatedDto> {
    const r = await this.cliAuth.create(body.deviceName, clientKey(ip));
    return { ...r, expiresAt: r.expiresAt.toISOString() };
  }

  @Post('poll')
  @HttpCode(200)
  @ApiOperation({ summary: 'Where a browser log-in stands; once approved, answers the new API key exactly once' })
  @ApiOkResponse({ type: CliAuthPollResponseDto })
  @ApiResponse({ status: 404, description: 'No request has this poll token', type: ErrorResponseDto })
  poll(@Body() body: PollCliAuthRequestDto, @Ip() ip: string): Promise<CliAuthPollResponseDto> {
    return this.cliAuth.poll(body.pollToken, clientKey(ip));
  }
}
