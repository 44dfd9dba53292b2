import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

export type BioFormat = 'text' | 'markdown';

@Entity('public_profiles')
export class PublicProfile {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** lower-case canonical form */
  @Column({ type: 'varchar', length: 39 })
  username: string;

  @Column({ type: 'varchar', length: 39, nullable: true })
  slug: string | null;

  @Column({ name: 'is_public', type: 'boolean', default: true })
  isPublic: boolean;

  @Column({ name: 'display_name', type: 'varchar', length: 100, default: '' })
  displayName: string;

  @Column({ type: 'varchar', length: 160, nullable: true })
  headline: string | null;

  @Column({ type: 'text', nullable: true })
  bio: string | null;

  @Column({ name: 'bio_format', type: 'varchar', length: 10, default: 'text' })
  bioFormat: BioFormat;

  @Column({ type: 'varchar', length: 100, nullable: true })
  location: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  website: string | null;

  /** JSON object of normalised URLs (see profile-links.ts) */
  @Column({ type: 'text', default: '{}' })
  links: string;

  @Column({ name: 'avatar_url', type: 'varchar', length: 500, nullable: true })
  avatarUrl: string | null;

  @Column({ name: 'custom_domain', type: 'varchar', length: 253, nullable: true })
  customDomain: string | null;

  @Column({ name: 'custom_domain_token', type: 'varchar', length: 64, nullable: true })
  customDomainToken: string | null;

  @DateColumn({ name: 'custom_domain_verified_at', nullable: true })
  customDomainVerifiedAt: Date | null;

  @Column({ name: 'qr_code_url', type: 'varchar', length: 500, nullable: true })
  qrCodeUrl: string | null;

  @Column({ name: 'view_count', type: 'integer', default: 0 })
  viewCount: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
