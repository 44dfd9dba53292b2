import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ListOf, ListQueryDto } from '../../common/api/api-dtos';
import { INTERACTION_TYPES } from '../interaction.entity';
import { ContactInputDto } from './contact-input.dto';
import { FollowUpInputDto } from './interaction-input.dto';

export class TagRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class ContactResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, format: 'email' }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) phone: string | null;
  @ApiProperty({ type: String, nullable: true }) company: string | null;
  @ApiProperty({ type: String, nullable: true }) title: string | null;
  @ApiProperty({ type: String, nullable: true }) location: string | null;
  @ApiProperty({ type: String, nullable: true }) githubUsername: string | null;
  @ApiProperty({ type: String, nullable: true }) twitter: string | null;
  @ApiProperty({ type: String, nullable: true }) linkedin: string | null;
  @ApiProperty({ type: String, nullable: true }) website: string | null;
  @ApiProperty({ type: String, nullable: true }) notes: string | null;
  @ApiProperty() isVip: boolean;
  @ApiProperty({ type: Number, nullable: true }) keepInTouchDays: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastInteractionAt: string | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 100, description: 'GitHub activity 0–100 (recent public events, recency-weighted); null until synced' }) activityScore: number | null;
  @ApiProperty({ type: [TagRefDto] }) tags: TagRefDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class InteractionResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) contactId: string;
  @ApiProperty({ enum: INTERACTION_TYPES }) type: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty() summary: string;
  @ApiProperty({ type: String, nullable: true, description: 'a link (GitHub entries)' }) url: string | null;
}

export class FollowUpResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) contactId: string;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty() note: string;
  @ApiProperty({ enum: ['open', 'done'] }) status: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt: string | null;
}

export class ContactListDto extends ListOf(ContactResponseDto, 'ContactListDto') {}
export class InteractionListDto extends ListOf(InteractionResponseDto, 'InteractionListDto') {}
export class FollowUpListDto extends ListOf(FollowUpResponseDto, 'FollowUpListDto') {}

export class ContactListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Search name, company, title, e-mail, GitHub username, notes and tags (each word as a prefix)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Tag name; repeat to require several tags', type: [String] })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]))
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tag?: string[];
}

export class FollowUpListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'due', 'done'], description: 'open; due = open and due by now; done' })
  @IsOptional()
  @IsIn(['open', 'due', 'done'])
  status?: 'open' | 'due' | 'done';
}

export class UpdateContactDto extends PartialType(ContactInputDto) {}

export class CreateFollowUpDto extends FollowUpInputDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'contactId must be a contact id' })
  contactId: string;
}

export class UpdateFollowUpDto extends PartialType(FollowUpInputDto) {
  @ApiPropertyOptional({ enum: ['open', 'done'] })
  @IsOptional()
  @IsIn(['open', 'done'])
  status?: 'open' | 'done';
}

export class AddTagDto {
  @ApiProperty({ example: 'rust', maxLength: 50 })
  @IsString()
  @MaxLength(50)
  tag: string;
}
