import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class CreateCliAuthRequestDto {
  @ApiProperty({ example: 'ada-laptop', maxLength: 100, description: 'The machine asking: the new key is named `cli: <deviceName>`' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  deviceName: string;
}

export class CliAuthRequestCreatedDto {
  @ApiProperty({ example: 'BCDF-GHJK', description: 'Shown to the person, who approves it at verificationUrl' })
  code: string;

  @ApiProperty({ description: 'Secret kept by the CLI to poll with; never shown to the person' })
  pollToken: string;

  @ApiProperty({ example: 'http://localhost:3000/cli/authorize?code=BCDF-GHJK' })
  verificationUrl: string;

  @ApiProperty({ format: 'date-time', description: '10 minutes after creation' })
  expiresAt: string;

  @ApiProperty({ example: 2, description: 'Seconds to wait between polls' })
  interval: number;
}

export class PollCliAuthRequestDto {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  @Matches(/^dhp_[A-Za-z0-9_-]+$/, { message: 'pollToken is not a poll token' })
  pollToken: string;
}

export class CliAuthPollResponseDto {
  @ApiProperty({ enum: ['pending', 'approved', 'refused', 'expired'], description: 'A request whose key was already delivered answers `expired`' })
  status: 'pending' | 'approved' | 'refused' | 'expired';

  @ApiPropertyOptional({ description: 'The new API key (status `approved` only, delivered once)' })
  apiKey?: string;

  @ApiPropertyOptional({ example: 'cli: ada-laptop' })
  keyName?: string;

  @ApiPropertyOptional({ enum: ['read', 'write'] })
  scope?: string;
}
