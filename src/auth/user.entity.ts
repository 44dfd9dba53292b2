import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

export type Plan = 'free' | 'pro' | 'premium';
export const PLANS: Plan[] = ['free', 'pro', 'premium'];

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin: boolean;

  @Column({ type: 'varchar', length: 16, default: 'free' })
  plan: Plan;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone: string;

  @Column({ name: 'signup_source', type: 'varchar', length: 100, nullable: true })
  signupSource: string | null;

  @Column({ name: 'github_id', type: 'varchar', length: 32, nullable: true })
  githubId: string | null;

  @Column({ name: 'github_login', type: 'varchar', length: 100, nullable: true })
  githubLogin: string | null;

  @Column({ name: 'github_avatar_url', type: 'varchar', length: 500, nullable: true })
  githubAvatarUrl: string | null;

  @Column({ name: 'github_token_encrypted', type: 'text', nullable: true })
  githubTokenEncrypted: string | null;

  /** set when the owner opened a verification link (or a reset link) sent to this address, or GitHub vouched for it */
  @DateColumn({ name: 'email_verified_at', nullable: true })
  emailVerifiedAt: Date | null;

  /** GitHub App user tokens expire: the refresh token (encrypted) and when the access token ends */
  @Column({ name: 'github_refresh_token_encrypted', type: 'text', nullable: true })
  githubRefreshTokenEncrypted: string | null;

  @DateColumn({ name: 'github_token_expires_at', nullable: true })
  githubTokenExpiresAt: Date | null;

  /** the daily digest may ask the configured model (off: nothing leaves the server) */
  @Column({ name: 'digest_use_model', type: 'boolean', default: true })
  digestUseModel: boolean;

  /** when the user chose a time zone (recorded at sign-up or changed in settings); null while on the default */
  @DateColumn({ name: 'timezone_chosen_at', nullable: true })
  timezoneChosenAt: Date | null;

  @DateColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

  /** set by the admin: the user cannot log in, and their sessions and API keys stop working */
  @DateColumn({ name: 'disabled_at', nullable: true })
  disabledAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** What pages see of the signed-in user; never the hash or the token. */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  plan: Plan;
  timezone: string;
  githubLogin: string | null;
  githubAvatarUrl: string | null;
  hasPassword: boolean;
  emailVerified: boolean;
  digestUseModel: boolean;
}

export function toCurrentUser(u: User): CurrentUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    isAdmin: u.isAdmin,
    plan: u.plan,
    timezone: u.timezone,
    githubLogin: u.githubLogin,
    githubAvatarUrl: u.githubAvatarUrl,
    hasPassword: Boolean(u.passwordHash),
    emailVerified: Boolean(u.emailVerifiedAt),
    digestUseModel: u.digestUseModel !== false,
  };
}
