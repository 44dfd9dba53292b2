import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class ErrorResponseDto {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found' })
  error: string;

  @ApiProperty({ example: 'Contact not found.' })
  message: string;
}

export const MAX_LIMIT = 100;
const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_LIMIT}`;
// beyond any real list, and keeps OFFSET inside a 32-bit integer for both databases
export const MAX_OFFSET = 1_000_000_000;
const OFFSET_MESSAGE = `offset must be a whole number from 0 to ${MAX_OFFSET}`;

/** `limit` 1–100 (default 20) and `offset` ≥ 0 (default 0), as every list takes. */
export class ListQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(MAX_LIMIT, { message: LIMIT_MESSAGE })
  limit: number = 20;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: OFFSET_MESSAGE })
  @Min(0, { message: OFFSET_MESSAGE })
  @Max(MAX_OFFSET, { message: OFFSET_MESSAGE })
  offset: number = 0;
}

export interface ListEnvelope<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
}

export function envelope<T>(data: T[], total: number, q: { limit: number; offset: number }): ListEnvelope<T> {
  return { data, total, limit: q.limit, offset: q.offset };
}

/** Builds a documented `{ data, total, limit, offset }` class for a resource DTO. */
export function ListOf<T>(item: new () => T, name: string) {
  class ListDto {
    @ApiProperty({ type: [item] })
    data: T[];
    @ApiProperty({ type: 'integer', description: 'all matching items, not just this page' })
    total: number;
    @ApiProperty({ type: 'integer' })
    limit: number;
    @ApiProperty({ type: 'integer' })
    offset: number;
  }
  Object.defineProperty(ListDto, 'name', { value: name });
  return ListDto;
}
