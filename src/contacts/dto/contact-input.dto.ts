import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsInt, isURL, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateBy } from 'class-validator';
import { CheckboxBoolean, IntOrNull, TrimOrNull } from '../../common/forms/transforms';

export const GITHUB_USERNAME = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Accepts "octocat", "@octocat" or "https://github.com/octocat". */
const GithubHandle = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value ?? null;
    let v = value.trim();
    if (v === '') return null;
    v = v.replace(/^https?:\/\/(www\.)?github\.com\//i, '').replace(/^@/, '').replace(/\/+$/, '');
    return v.toLowerCase();
  });

/** Accepts "jack", "@jack" or an x.com / twitter.com URL. */
const TwitterHandle = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value ?? null;
    let v = value.trim();
    if (v === '') return null;
    v = v.replace(/^https?:\/\/(www\.)?(twitter|x)\.com\//i, '').replace(/^@/, '').replace(/\/+$/, '');
    return v;
  });

const LowerEmail = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value ?? null;
    const v = value.trim().toLowerCase();
    return v === '' ? null : v;
  });

const URL_OPTS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/**
 * At most `max` characters as the database counts them (code points). MaxLength's validator.js
 * does not count U+FE0E/U+FE0F, so 150 "a\uFE0F" pass a 200 limit and overflow varchar(200).
 */
export const MaxChars = (max: number, message: string) =>
  ValidateBy({ name: 'maxChars', constraints: [max], validator: { validate: (v: unknown) => typeof v !== 'string' || [...v].length <= max, defaultMessage: () => message } });

/** No one types a NUL byte, and PostgreSQL cannot store one in text: refuse it with a message. */
export const NoNul = () =>
  ValidateBy({ name: 'noNul', validator: { validate: (v: unknown) => typeof v !== 'string' || !v.includes('\u0000'), defaultMessage: () => 'Remove the invisible control character (NUL).' } });

/**
 * A LinkedIn URL or just the profile name: only a value that starts like a URL must be one.
 * (A ValidateIf here would switch off every other check of the field, the length included.)
 */
const LinkedinUrlOrName = () =>
  ValidateBy({
    name: 'linkedinUrlOrName',
    validator: { validate: (v: unknown) => typeof v !== 'string' || !/^https?:/i.test(v) || isURL(v, URL_OPTS), defaultMessage: () => 'Enter a LinkedIn URL or profile name.' },
  });

/**
 * The contract's writable contact fields. Used by the pages and (issue 4) the JSON API, so the
 * names are the API's. Missing optional fields mean "empty" on create and "unchanged" on PATCH.
 */
export class ContactInputDto {
  @ApiProperty({ maxLength: 200, example: 'Ada Lovelace' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'Enter a name.' })
  @NoNul()
  @MinLength(1, { message: 'Enter a name.' })
  @MaxChars(200, 'Use at most 200 characters.')
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'email', maxLength: 320 })
  @IsOptional()
  @LowerEmail()
  @IsEmail({}, { message: 'Enter a valid e-mail address, or leave it empty.' })
  @MaxLength(320, { message: 'That e-mail address is too long.' })
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 50 })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @Matches(/^[+\d][\d ()./-]{2,49}$/, { message: 'Use digits, spaces and + ( ) - . only.' })
  @MaxLength(50, { message: 'Use at most 50 characters.' })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @NoNul()
  @MaxChars(200, 'Use at most 200 characters.')
  company?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @NoNul()
  @MaxChars(200, 'Use at most 200 characters.')
  title?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @NoNul()
  @MaxChars(200, 'Use at most 200 characters.')
  location?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'username, @username or profile URL; stored lower-cased' })
  @IsOptional()
  @GithubHandle()
  @IsString()
  @Matches(GITHUB_USERNAME, { message: 'A GitHub username has 1–39 letters, digits or single hyphens.' })
  githubUsername?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'handle, @handle or x.com URL' })
  @IsOptional()
  @TwitterHandle()
  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,50}$/, { message: 'An X/Twitter handle has letters, digits and underscores only.' })
  twitter?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 300 })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @NoNul()
  @MaxChars(300, 'Use at most 300 characters.')
  @LinkedinUrlOrName()
  linkedin?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: 500 })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @MaxChars(500, 'Use at most 500 characters.')
  @IsUrl(URL_OPTS, { message: 'Enter a full URL starting with http:// or https://.' })
  website?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10000, description: 'private; never sent to an AI model' })
  @IsOptional()
  @TrimOrNull()
  @IsString()
  @NoNul()
  @MaxLength(10000, { message: 'Notes are limited to 10,000 characters.' })
  notes?: string | null;

  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @CheckboxBoolean()
  @IsBoolean({ message: 'VIP is on or off.' })
  isVip?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 365 })
  @IsOptional()
  @IntOrNull()
  @IsInt({ message: 'Enter a whole number of days.' })
  @Min(1, { message: 'Use 1 to 365 days.' })
  @Max(365, { message: 'Use 1 to 365 days.' })
  keepInTouchDays?: number | null;
}

export type ContactInput = Omit<ContactInputDto, never>;
