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

  /** when the user chose a time zone (recorded at sign-up or changed in settings); null while on the default */
  @DateColumn({ name: 'timezone_chosen_at', nullable: true })
  timezoneChosenAt: Date | null;

  @DateColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

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
  };
}
