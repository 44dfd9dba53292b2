import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { InteractionType, MANUAL_INTERACTION_TYPES } from '../interaction.entity';
import { NoNul } from './contact-input.dto';

export class InteractionInputDto {
  // `github` entries are written only by the GitHub sync
  @ApiProperty({ enum: MANUAL_INTERACTION_TYPES })
  @IsIn(MANUAL_INTERACTION_TYPES, { message: `Choose one of: ${MANUAL_INTERACTION_TYPES.join(', ')}.` })
  type: InteractionType;

  /** ISO 8601 instant, or a wall time ("2026-03-01T09:30") read in the user's time zone; default now. */
  @ApiPropertyOptional({ description: 'ISO 8601 time; default now', example: '2026-03-01T09:30:00Z' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && value.trim() === '' ? undefined : value))
  @IsString({ message: 'Enter a date and time.' })
  @MaxLength(40)
  occurredAt?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @NoNul()
  @MaxLength(5000, { message: 'Keep the summary under 5,000 characters.' })
  summary?: string;
}

export class FollowUpInputDto {
  /** ISO 8601 instant, "YYYY-MM-DD" (09:00 in the user's zone) or "YYYY-MM-DDTHH:MM" wall time. */
  @ApiProperty({ description: 'ISO 8601 time, or a date (09:00 in the user\'s time zone)', example: '2026-03-01' })
  @IsString({ message: 'Choose a due date.' })
  @MaxLength(40)
  dueAt: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @NoNul()
  @MaxLength(2000, { message: 'Keep the note under 2,000 characters.' })
  note?: string;
}
