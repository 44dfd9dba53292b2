import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { looksLikeUsername } from './username';
import type { PublicProfileRecord } from './profile-record';
import { ProfilesRepository } from './profiles.repository';
import { TtlCache } from './ttl-cache';

/**
 * How long a public lookup is reused. Writes on this instance clear the cache at once; the TTL
 * bounds how long another instance (several behind a load balancer) can serve the previous state,
 * e.g. a profile just made private. Two seconds keeps the database out of a busy page's way.
 */
export const PUBLIC_CACHE_TTL_MS = 2_000;

export type ProfileLookup =
  | { kind: 'profile'; profile: PublicProfileRecord }
  /** an old username (within 90 days), or the same username in other letter case */
  | { kind: 'redirect'; username: string }
  | { kind: 'none' };

/** Public reads of profiles by username or custom domain, cached briefly in memory. */
@Injectable()
export class PublicProfilesService {
  private readonly lookups = new TtlCache<string, ProfileLookup>(PUBLIC_CACHE_TTL_MS, 20_000);
  private readonly domains = new TtlCache<string, string | null>(PUBLIC_CACHE_TTL_MS, 20_000);
  private readonly inflight = new Map<string, Promise<ProfileLookup>>();
  /** bumped by every write, so a read that started before it cannot cache what it saw */
  private generation = 0;

  constructor(
    private readonly repo: ProfilesRepository,
    private readonly clock: Clock,
  ) {}

  /** `handle` as it appears in the URL (any case). */
  async lookup(handle: string): Promise<ProfileLookup> {
    if (!looksLikeUsername(handle)) return { kind: 'none' };
    const username = handle.toLowerCase();
    const found = await this.lookupCanonical(username);
    if (found.kind === 'profile' && handle !== username) return { kind: 'redirect', username };
    return found;
  }

  /** The cached answer for a canonical (lower-case) username, if there is one; never queries. */
  peek(handle: string): ProfileLookup | undefined {
    return handle === handle.toLowerCase() ? this.lookups.get(handle) : undefined;
  }

  private lookupCanonical(username: string): Promise<ProfileLookup> {
    const hit = this.lookups.get(username);
    if (hit) return Promise.resolve(hit);
    // one query per username at a time, however many requests arrive together
    let pending = this.inflight.get(username);
    if (!pending) {
      pending = this.load(username).finally(() => this.inflight.delete(username));
      this.inflight.set(username, pending);
    }
    return pending;
  }

  private async load(username: string): Promise<ProfileLookup> {
    const generation = this.generation;
    const profile = await this.repo.findPublicByUsername(username);
    let result: ProfileLookup;
    if (profile) result = { kind: 'profile', profile };
    else {
      const target = await this.repo.findRedirectTarget(username, this.clock.now());
      result = target && target !== username ? { kind: 'redirect', username: target } : { kind: 'none' };
    }
    if (generation === this.generation) this.lookups.set(username, result);
    return result;
  }

  /** The username served at `/` of a verified custom domain, or null. */
  async usernameForDomain(hostname: string): Promise<string | null> {
    const hit = this.domains.get(hostname);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const username = await this.repo.findUsernameByVerifiedDomain(hostname);
    if (generation === this.generation) this.domains.set(hostname, username);
    return username;
  }

  /** Called after any profile write on this instance. */
  invalidate(): void {
    this.generation++;
    this.inflight.clear();
    this.lookups.clear();
    this.domains.clear();
  }
}
