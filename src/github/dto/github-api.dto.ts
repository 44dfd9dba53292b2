import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { ListOf, ListQueryDto } from '../../common/api/api-dtos';
import { INSIGHT_TYPES } from '../github.entity';

export class InsightListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: INSIGHT_TYPES })
  @IsOptional()
  @IsIn(INSIGHT_TYPES, { message: `type must be one of: ${INSIGHT_TYPES.join(', ')}` })
  type?: (typeof INSIGHT_TYPES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a contact id' })
  contactId?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true: acknowledged only; false: new only; omitted: both' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'acknowledged must be true or false' })
  acknowledged?: boolean;
}

export class InsightResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) contactId: string;
  @ApiProperty({ enum: INSIGHT_TYPES }) type: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true }) url: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the fact: repository, tag, milestone, old and new values…' }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() acknowledged: boolean;
}

export class InsightListDto extends ListOf(InsightResponseDto, 'InsightList') {}

export class SyncAcceptedDto {
  @ApiProperty({ description: 'the job id, for GET /api/sync/{id}' }) id: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) state: string;
  @ApiProperty({ description: 'true when a sync already queued for the same target was returned' }) deduplicated: boolean;
}

export class SyncStatusDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) state: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'contacts, insights, interactions, notFound, renamed, deferred, failed' }) counts: Record<string, number>;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt: string | null;
}
