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

/** `limit` 1–100 (default 20) and `offset` ≥ 0 (default 0), as every list takes. */
export class ListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(MAX_LIMIT, { message: 'limit must be between 1 and 100' })
  limit: number = 20;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0, { message: 'offset must be 0 or more' })
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
    @ApiProperty()
    total: number;
    @ApiProperty()
    limit: number;
    @ApiProperty()
    offset: number;
  }
  Object.defineProperty(ListDto, 'name', { value: name });
  return ListDto;
}
