import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { BIO_MAX } from '../bio';
import { LINK_KINDS, type LinkKind } from '../profile-links';

const trimmed = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : value));

/** The editor form at /settings/profile; field names match the JSON API (plus isPublic). */
export class ProfileFormDto {
  @trimmed()
  @IsString()
  @IsNotEmpty({ message: 'Choose a username.' })
  @MaxLength(60, { message: 'Use 3 to 39 characters.' })
  username: string;

  /** a checkbox: absent when unticked */
  @IsOptional()
  @Transform(({ value }) => value === true || value === 'on' || value === 'true' || value === '1')
  @IsBoolean()
  isPublic?: boolean;

  @trimmed()
  @IsString()
  @IsNotEmpty({ message: 'Enter the name to show on your profile.' })
  @MaxLength(100, { message: 'Use at most 100 characters.' })
  displayName: string;

  @IsOptional()
  @trimmed()
  @IsString()
  @MaxLength(160, { message: 'Use at most 160 characters.' })
  headline?: string;

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : ''))
  @IsString()
  @MaxLength(BIO_MAX, { message: `Use at most ${BIO_MAX} characters.` })
  bio?: string;

  @IsOptional()
  @Transform(({ value }) => (value === 'markdown' ? 'markdown' : 'text'))
  @IsIn(['text', 'markdown'])
  bioFormat?: 'text' | 'markdown';

  @IsOptional()
  @trimmed()
  @IsString()
  @MaxLength(100, { message: 'Use at most 100 characters.' })
  location?: string;

  @IsOptional()
  @trimmed()
  @IsString()
  @MaxLength(500, { message: 'Use at most 500 characters.' })
  website?: string;

  @IsOptional()
  @trimmed()
  @IsString()
  @MaxLength(500, { message: 'Use at most 500 characters.' })
  avatarUrl?: string;

  /** filled from the `links[github]` / `links.github` fields by readLinkFields */
  links: Partial<Record<LinkKind, string>>;
}

/**
 * The link inputs arrive as flat keys (`links[github]`; the urlencoded parser runs with
 * extended: false) or, from a JSON client, as an object.
 */
export function readLinkFields(body: Record<string, unknown>): Partial<Record<LinkKind, string>> {
  const nested = typeof body.links === 'object' && body.links !== null ? (body.links as Record<string, unknown>) : {};
  const out: Partial<Record<LinkKind, string>> = {};
  for (const kind of LINK_KINDS) {
    const v = body[`links[${kind}]`] ?? body[`links.${kind}`] ?? nested[kind];
    if (typeof v === 'string') out[kind] = v.trim().slice(0, 600);
  }
  return out;
}

export class CustomDomainDto {
  @trimmed()
  @IsString()
  @IsNotEmpty({ message: 'Enter a domain such as ada.dev or me.example.com.' })
  @MaxLength(300, { message: 'That domain is too long.' })
  customDomain: string;
}
