import type { ProfileLinks } from './profile-links';
import type { BioFormat } from './public-profile.entity';

/** What public pages may know about a profile: its public fields, never tokens, domains or counts. */
export interface PublicProfileRecord {
  id: string;
  userId: string;
  username: string;
  displayName: string;
  headline: string | null;
  bio: string | null;
  bioFormat: BioFormat;
  location: string | null;
  website: string | null;
  links: ProfileLinks;
  avatarUrl: string | null;
  updatedAt: Date;
  /** the owner's time zone, for the analytics day of a view (not shown anywhere) */
  ownerTimezone: string;
}

/** Dates come back from raw queries as Date (PostgreSQL) or as UTC text (SQLite). */
export function toDate(raw: unknown): Date {
  if (raw instanceof Date) return raw;
  const s = String(raw);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}
