import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { TIME_ZONES } from '../../common/forms/timezones';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export class SignupDto {
  @Transform(trim)
  @IsString({ message: 'Enter your name.' })
  @IsNotEmpty({ message: 'Enter your name.' })
  @MaxLength(200, { message: 'Use at most 200 characters.' })
  name: string;

  @Transform(lower)
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(320, { message: 'That e-mail address is too long.' })
  email: string;

  @IsString({ message: 'Choose a password.' })
  @MinLength(PASSWORD_MIN, { message: `Use at least ${PASSWORD_MIN} characters.` })
  @MaxLength(PASSWORD_MAX, { message: `Use at most ${PASSWORD_MAX} characters.` })
  password: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  ref?: string;

  /** filled by a script with the browser's time zone; an unknown one falls back to UTC */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  timezone?: string;
}

export class LoginDto {
  @Transform(lower)
  @IsString({ message: 'Enter your e-mail address.' })
  @IsNotEmpty({ message: 'Enter your e-mail address.' })
  @MaxLength(320)
  email: string;

  @IsString({ message: 'Enter your password.' })
  @IsNotEmpty({ message: 'Enter your password.' })
  @MaxLength(PASSWORD_MAX)
  password: string;

  @IsOptional()
  @IsString()
  next?: string;
}

export class ForgotPasswordDto {
  @Transform(lower)
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(320)
  email: string;
}

export class ResetPasswordDto {
  @IsString()
  @IsNotEmpty()
  token: string;

  @IsString({ message: 'Choose a password.' })
  @MinLength(PASSWORD_MIN, { message: `Use at least ${PASSWORD_MIN} characters.` })
  @MaxLength(PASSWORD_MAX, { message: `Use at most ${PASSWORD_MAX} characters.` })
  password: string;

  /** the "also revoke all API keys" checkbox */
  @IsOptional()
  @IsIn(['on'])
  revokeApiKeys?: string;
}

export class AccountProfileDto {
  @Transform(trim)
  @IsString({ message: 'Enter your name.' })
  @IsNotEmpty({ message: 'Enter your name.' })
  @MaxLength(200, { message: 'Use at most 200 characters.' })
  name: string;

  @Transform(lower)
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(320, { message: 'That e-mail address is too long.' })
  email: string;

  @IsIn(TIME_ZONES, { message: 'Choose a time zone from the list.' })
  timezone: string;

  /** needed only when the e-mail address changes */
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword?: string;
}

export class ChangePasswordDto {
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  currentPassword?: string;

  @IsString({ message: 'Choose a password.' })
  @MinLength(PASSWORD_MIN, { message: `Use at least ${PASSWORD_MIN} characters.` })
  @MaxLength(PASSWORD_MAX, { message: `Use at most ${PASSWORD_MAX} characters.` })
  newPassword: string;
}
