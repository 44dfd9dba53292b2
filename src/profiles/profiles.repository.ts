import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { parseStoredLinks } from './profile-links';
import { toDate, type PublicProfileRecord } from './profile-record';
import { PublicProfile } from './public-profile.entity';

export const PUBLIC_COLUMNS = [
  'p.id AS id',
  'p.user_id AS user_id',
  'p.username AS username',
  'p.display_name AS display_name',
  'p.headline AS headline',
  'p.bio AS bio',
  'p.bio_format AS bio_format',
  'p.location AS location',
  'p.website AS website',
  'p.links AS links',
  'p.avatar_url AS avatar_url',
  'p.updated_at AS updated_at',
  'u.timezone AS timezone',
];

export type RawPublic = Record<string, unknown>;

/** A raw row (PUBLIC_COLUMNS) as the public record; exported for the bench's bare server. */
export function toRecord(r: RawPublic): PublicProfileRecord {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    username: String(r.username),
    displayName: String(r.display_name ?? ''),
    headline: (r.headline as string | null) || null,
    bio: (r.bio as string | null) || null,
    bioFormat: r.bio_format === 'markdown' ? 'markdown' : 'text',
    location: (r.location as string | null) || null,
    website: (r.website as string | null) || null,
    links: parseStoredLinks(r.links as string),
    avatarUrl: (r.avatar_url as string | null) || null,
    updatedAt: toDate(r.updated_at),
    ownerTimezone: String(r.timezone ?? 'UTC'),
  };
}

/** TypeORM access for profiles; no rules here. */
@Injectable()
export class ProfilesRepository {
  constructor(private readonly tx: TransactionService) {}

  private m(m?: EntityManager) {
    return m ?? this.tx.manager;
  }

  findByUserId(userId: string, m?: EntityManager): Promise<PublicProfile | null> {
    return this.m(m).getRepository(PublicProfile).findOne({ where: { userId } });
  }

  async findPublicByUsername(username: string): Promise<PublicProfileRecord | null> {
    const row = await this.tx.manager
      .createQueryBuilder()
      .select(PUBLIC_COLUMNS)
      .from('public_profiles', 'p')
      .innerJoin('users', 'u', 'u.id = p.user_id')
      .where('p.username = :username AND p.is_public = true', { username })
      .getRawOne<RawPublic>();
    return row ? toRecord(row) : null;
  }

  /** The current username behind an unexpired old one, when that profile is public. */
  async findRedirectTarget(oldUsername: string, now: Date): Promise<string | null> {
    const row = await this.tx.manager
      .createQueryBuilder()
      .select('p.username', 'username')
      .from('profile_username_redirects', 'r')
      .innerJoin('public_profiles', 'p', 'p.id = r.profile_id')
      .where('r.old_username = :oldUsername AND r.expires_at > :now AND p.is_public = true', { oldUsername, now })
      .getRawOne<{ username: string }>();
    return row?.username ?? null;
  }

  /** The username served on a verified custom domain (public profiles only). */
  async findUsernameByVerifiedDomain(domain: string): Promise<string | null> {
    const row = await this.tx.manager
      .createQueryBuilder()
      .select('p.username', 'username')
      .from('public_profiles', 'p')
      .where('p.custom_domain = :domain AND p.custom_domain_verified_at IS NOT NULL AND p.is_public = true', { domain })
      .getRawOne<{ username: string }>();
    return row?.username ?? null;
  }

  async hasVerifiedDomain(domain: string, exceptProfileId: string, m?: EntityManager): Promise<boolean> {
    const row = await this.m(m)
      .createQueryBuilder()
      .select('p.id', 'id')
      .from('public_profiles', 'p')
      .where('p.custom_domain = :domain AND p.custom_domain_verified_at IS NOT NULL AND p.id <> :exceptProfileId', { domain, exceptProfileId })
      .getRawOne();
    return Boolean(row);
  }

  async countPublic(): Promise<number> {
    const row = await this.tx.manager.createQueryBuilder().select('COUNT(*)', 'n').from('public_profiles', 'p').where('p.is_public = true').getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }

  /** The username at a position in username order (sitemap page starts), on the (is_public, username) index. */
  async publicUsernameAt(offset: number): Promise<string | null> {
    const row = await this.tx.manager
      .createQueryBuilder()
      .select('p.username', 'username')
      .from('public_profiles', 'p')
      .where('p.is_public = true')
      .orderBy('p.username', 'ASC')
      .offset(offset)
      .limit(1)
      .getRawOne<{ username: string }>();
    return row?.username ?? null;
  }

  /** One keyset page of public profiles in username order, strictly after `after` (or from `from`). */
  async publicPage(bound: { after?: string; from?: string }, limit: number): Promise<Array<{ username: string; updatedAt: Date }>> {
    const q = this.tx.manager
      .createQueryBuilder()
      .select(['p.username AS username', 'p.updated_at AS updated_at'])
      .from('public_profiles', 'p')
      .where('p.is_public = true');
    if (bound.after !== undefined) q.andWhere('p.username > :after', { after: bound.after });
    else if (bound.from !== undefined) q.andWhere('p.username >= :from', { from: bound.from });
    const rows = await q.orderBy('p.username', 'ASC').limit(limit).getRawMany<{ username: string; updated_at: unknown }>();
    return rows.map((r) => ({ username: r.username, updatedAt: toDate(r.updated_at) }));
  }
}
