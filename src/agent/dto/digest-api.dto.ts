import { ApiProperty } from '@nestjs/swagger';

export class ScorePartDto {
  @ApiProperty({ example: 'follow-up overdue by 3 days' }) label: string;
  @ApiProperty({ type: 'integer', example: 46 }) points: number;
}

export class DigestPriorityDto {
  @ApiProperty({ format: 'uuid' }) contactId: string;
  @ApiProperty({ example: 'Ada Lovelace' }) contactName: string;
  @ApiProperty({ example: 'Ada released v2.0 of fastjson yesterday; you last spoke 94 days ago.' }) reason: string;
  @ApiProperty({ example: 'Congratulate them on the release.' }) action: string;
  @ApiProperty({ description: 'a short opening message to send' }) draft: string;
  @ApiProperty({ type: 'integer' }) score: number;
  @ApiProperty({ type: [ScorePartDto] }) parts: ScorePartDto[];
  @ApiProperty({ type: [String], enum: ['followup_overdue', 'followup_due', 'cadence_lapsed', 'vip_quiet', 'insight', 'active_again', 'met_recently'] })
  kinds: string[];
  @ApiProperty({ type: String, nullable: true, description: "the rules' reason when the model wrote `reason`" }) rulesReason: string | null;
  @ApiProperty({ enum: ['open', 'done', 'snoozed', 'dismissed'] }) status: string;
}

export class DigestInsightDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'uuid' }) contactId: string;
  @ApiProperty() contactName: string;
  @ApiProperty({ example: 'new_release' }) type: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) url: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DigestResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '2026-12-04', description: "the user's local day" }) day: string;
  @ApiProperty({ example: 'Europe/Berlin' }) timeZone: string;
  @ApiProperty({ enum: ['rules', 'model'] }) engine: string;
  @ApiProperty({ type: String, nullable: true }) model: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'why the rules answered although a model is configured' }) fallbackReason: string | null;
  @ApiProperty({ type: 'integer' }) promptTokens: number;
  @ApiProperty({ type: 'integer' }) completionTokens: number;
  @ApiProperty({ type: [DigestPriorityDto] }) priorities: DigestPriorityDto[];
  @ApiProperty({ type: [DigestInsightDto] }) insights: DigestInsightDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** POST /api/digest takes no fields: `{}` (or no body). */
export class BuildDigestDto {}

export class DigestJobDto {
  @ApiProperty({ description: 'the build job' }) jobId: string;
  @ApiProperty({ enum: ['queued'] }) state: string;
}
