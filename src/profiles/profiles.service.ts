import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../database/unique-violation';
import { Inject, Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import type { CurrentUser } from '../auth/user.entity';
import { Clock } from '../common/clock';
import { randomToken } from '../common/crypto/tokens';
import { FormError, type FieldErrors } from '../common/forms/validate-form';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { TransactionService } from '../database/transaction.service';
import { normalizeDomain, verificationRecordName } from './custom-domain';
import { DnsTxtResolver } from './dns-txt-resolver';
import type { ProfileFormDto } from './dto/profile-form.dto';
import { LINK_KINDS, linksForForm, normalizeLinks, normalizeWebUrl, parseStoredLinks, type LinkKind, type ProfileLinks } from './profile-links';
import { profileUrl, toCard, type ProfileCard } from './profile.views';
import { ProfileUsernameRedirect } from './profile-username-redirect.entity';
import { ProfilesRepository } from './profiles.repository';
import { PublicProfile, type BioFormat } from './public-profile.entity';
import { PublicProfilesService } from './public-profiles.service';
import { QrCodeService, type QrImage } from './qr-code.service';
import { normalizeUsername, suggestUsername, usernameProblem } from './username';

/** An old username keeps redirecting (301) to the new one this long, and nobody else can take it. */
export const REDIRECT_DAYS = 90;
const AVATAR_HOSTS = new Set(['avatars.githubusercontent.com']);
const TAKEN = 'This username is taken. Choose another one.';

export interface ProfileForm {
  username: string;
  isPublic: boolean;
  displayName: string;
  headline: string;
  bio: string;
  bioFormat: BioFormat;
  location: string;
  website: string;
  avatarUrl: string;
  links: Record<LinkKind, string>;
}

export interface DomainState {
  domain: string;
  recordName: string;
  token: string;
  verified: boolean;
  verifiedAt: Date | null;
  url: string;
}

export interface EditorState {
  exists: boolean;
  form: ProfileForm;
  card: ProfileCard;
  isPublic: boolean;
  profileUrl: string | null;
  viewCount: number;
  domain: DomainState | null;
  qrSvg: string | null;
  githubAvatarUrl: string | null;
}

interface CleanInput {
  username: string;
  isPublic: boolean;
  displayName: string;
  headline: string | null;
  bio: string | null;
  bioFormat: BioFormat;
  location: string | null;
  website: string | null;
  avatarUrl: string | null;
  links: ProfileLinks;
}


/** The owner's side of profiles: the editor, username changes, custom domains. Scoped by user id. */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ProfilesRepository,
    private readonly publicProfiles: PublicProfilesService,
    private readonly qr: QrCodeService,
    private readonly dns: DnsTxtResolver,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get baseHost(): string {
    return new URL(this.config.baseUrl).hostname.toLowerCase();
  }

  /** Whether the user's public profile is published (the dashboard's setup checklist). */
  async isPublished(userId: string): Promise<boolean> {
    return Boolean((await this.repo.findByUserId(userId))?.isPublic);
  }

  async editor(me: CurrentUser, input?: { form: ProfileForm }): Promise<EditorState> {
    const profile = await this.repo.findByUserId(me.id);
    const form = input?.form ?? (profile ? this.formOf(profile) : this.defaultForm(me));
    const url = profile ? profileUrl(this.config.baseUrl, profile.username) : null;
    return {
      exists: Boolean(profile),
      form,
      card: this.preview(form),
      isPublic: profile?.isPublic ?? false,
      profileUrl: url,
      viewCount: profile?.viewCount ?? 0,
      domain: profile?.customDomain ? this.domainState(profile) : null,
      qrSvg: url ? await this.qr.inlineSvg(url, `QR code for ${url}`) : null,
      githubAvatarUrl: me.githubAvatarUrl,
    };
  }

  /** What the submitted form looks like again after an error (nothing normalised away). */
  formFromInput(value: ProfileFormDto): ProfileForm {
    const links = Object.fromEntries(LINK_KINDS.map((k) => [k, value.links?.[k] ?? ''])) as Record<LinkKind, string>;
    return {
      username: value.username ?? '',
      isPublic: Boolean(value.isPublic),
      displayName: value.displayName ?? '',
      headline: value.headline ?? '',
      bio: value.bio ?? '',
      bioFormat: value.bioFormat === 'markdown' ? 'markdown' : 'text',
      location: value.location ?? '',
      website: value.website ?? '',
      avatarUrl: value.avatarUrl ?? '',
      links,
    };
  }

  /** The live preview: the public card for unsaved input, leaving out what does not validate yet. */
  preview(form: ProfileForm): ProfileCard {
    const { links } = normalizeLinks(form.links);
    const username = normalizeUsername(form.username);
    return toCard(
      {
        username: usernameProblem(username) ? username || 'username' : username,
        displayName: form.displayName.trim().slice(0, 100) || form.username,
        headline: form.headline.trim().slice(0, 160) || null,
        location: form.location.trim().slice(0, 100) || null,
        website: normalizeWebUrl(form.website),
        bio: form.bio,
        bioFormat: form.bioFormat,
        links,
        avatarUrl: this.avatarProblem(form.avatarUrl) ? null : form.avatarUrl.trim() || null,
      },
      this.config.baseUrl,
    );
  }

  private defaultForm(me: CurrentUser): ProfileForm {
    const links = linksForForm(me.githubLogin ? { github: `https://github.com/${me.githubLogin}` } : {});
    return {
      username: suggestUsername(me.githubLogin, me.name),
      isPublic: true,
      displayName: me.name,
      headline: '',
      bio: '',
      bioFormat: 'text',
      location: '',
      website: '',
      avatarUrl: me.githubAvatarUrl ?? '',
      links,
    };
  }

  private formOf(p: PublicProfile): ProfileForm {
    return {
      username: p.username,
      isPublic: p.isPublic,
      displayName: p.displayName,
      headline: p.headline ?? '',
      bio: p.bio ?? '',
      bioFormat: p.bioFormat,
      location: p.location ?? '',
      website: p.website ?? '',
      avatarUrl: p.avatarUrl ?? '',
      links: linksForForm(parseStoredLinks(p.links)),
    };
  }

  private avatarProblem(raw: string): string | null {
    const value = raw.trim();
    if (!value) return null;
    const url = normalizeWebUrl(value);
    if (!url || !url.startsWith('https://') || !AVATAR_HOSTS.has(new URL(url).hostname)) {
      return 'Use your GitHub avatar (https://avatars.githubusercontent.com/…); pictures from other sites are blocked on DevHub pages.';
    }
    return null;
  }

  private clean(value: ProfileFormDto): CleanInput {
    const errors: FieldErrors = {};
    const username = normalizeUsername(value.username);
    const usernameError = usernameProblem(username);
    if (usernameError) errors.username = usernameError;
    const { links, errors: linkErrors } = normalizeLinks(value.links ?? {});
    Object.assign(errors, linkErrors);
    let website: string | null = null;
    if (value.website) {
      website = normalizeWebUrl(value.website);
      if (!website) errors.website = 'Enter a link such as https://ada.dev.';
    }
    const avatarError = this.avatarProblem(value.avatarUrl ?? '');
    if (avatarError) errors.avatarUrl = avatarError;
    if (Object.keys(errors).length) throw new FormError(errors);
    return {
      username,
      isPublic: Boolean(value.isPublic),
      displayName: value.displayName,
      headline: value.headline || null,
      bio: value.bio || null,
      bioFormat: value.bioFormat === 'markdown' ? 'markdown' : 'text',
      location: value.location || null,
      website,
      avatarUrl: value.avatarUrl ? normalizeWebUrl(value.avatarUrl) : null,
      links,
    };
  }

  /** Creates or updates the user's profile. A new username leaves the old one redirecting for 90 days. */
  async save(userId: string, value: ProfileFormDto): Promise<{ username: string; created: boolean; renamedFrom: string | null }> {
    const input = this.clean(value);
    try {
      const result = await this.tx.run(async (m) => {
        const profiles = m.getRepository(PublicProfile);
        const redirects = m.getRepository(ProfileUsernameRedirect);
        const now = this.clock.now();
        let profile = await profiles.findOne({ where: { userId } });
        const holder = await profiles.findOne({ where: { username: input.username } });
        if (holder && holder.userId !== userId) throw new FormError({ username: TAKEN });
        await redirects.delete({ expiresAt: LessThan(now) });
        const held = await redirects.findOne({ where: { oldUsername: input.username } });
        if (held && held.profileId !== profile?.id) throw new FormError({ username: TAKEN });
        if (held) await redirects.delete({ oldUsername: input.username }); // taking back one's own old name

        const created = !profile;
        const previous = profile?.username ?? null;
        profile ??= profiles.create({ id: randomUUID(), userId, viewCount: 0, customDomain: null, customDomainToken: null, customDomainVerifiedAt: null });
        Object.assign(profile, {
          username: input.username,
          slug: input.username,
          isPublic: input.isPublic,
          displayName: input.displayName,
          headline: input.headline,
          bio: input.bio,
          bioFormat: input.bioFormat,
          location: input.location,
          website: input.website,
          links: JSON.stringify(input.links),
          avatarUrl: input.avatarUrl,
          qrCodeUrl: `/@${input.username}/qr.png`,
        });
        await profiles.save(profile);
        const renamedFrom = previous && previous !== input.username ? previous : null;
        if (renamedFrom) {
          await redirects.save(redirects.create({ oldUsername: renamedFrom, profileId: profile.id, expiresAt: new Date(now.getTime() + REDIRECT_DAYS * 86_400_000) }));
        }
        return { username: input.username, created, renamedFrom };
      });
      return result;
    } catch (err) {
      if (isUniqueViolation(err)) throw new FormError({ username: TAKEN });
      throw err;
    } finally {
      this.publicProfiles.invalidate();
    }
  }

  private domainState(p: PublicProfile): DomainState {
    return {
      domain: p.customDomain!,
      recordName: verificationRecordName(p.customDomain!),
      token: p.customDomainToken ?? '',
      verified: Boolean(p.customDomainVerifiedAt),
      verifiedAt: p.customDomainVerifiedAt,
      url: `https://${p.customDomain}/`,
    };
  }

  private async requireProfile(userId: string): Promise<PublicProfile> {
    const profile = await this.repo.findByUserId(userId);
    if (!profile) throw new FormError({ customDomain: 'Save your profile first.' });
    return profile;
  }

  /** Claims a domain (unverified) and issues the token to publish in DNS. */
  async setDomain(userId: string, raw: string): Promise<DomainState> {
    const domain = normalizeDomain(raw);
    if (!domain) throw new FormError({ customDomain: 'Enter a domain name such as ada.dev or me.example.com (no IP addresses).' });
    if (domain === this.baseHost) throw new FormError({ customDomain: 'That is DevHub’s own address. Enter a domain you own.' });
    try {
      return await this.tx.run(async (m) => {
        const profiles = m.getRepository(PublicProfile);
        const profile = await profiles.findOne({ where: { userId } });
        if (!profile) throw new FormError({ customDomain: 'Save your profile first.' });
        if (await this.repo.hasVerifiedDomain(domain, profile.id, m)) {
          throw new FormError({ customDomain: 'This domain is already connected to another DevHub profile.' });
        }
        if (profile.customDomain !== domain) {
          profile.customDomain = domain;
          profile.customDomainToken = `devhub-verify=${randomToken(18)}`;
          profile.customDomainVerifiedAt = null;
          await profiles.save(profile);
        }
        return this.domainState(profile);
      });
    } finally {
      this.publicProfiles.invalidate();
    }
  }

  /** Looks up `_devhub.<domain>` TXT; the domain is verified when one record equals the token. */
  async verifyDomain(userId: string): Promise<{ verified: boolean; found: string[]; recordName: string }> {
    const profile = await this.requireProfile(userId);
    if (!profile.customDomain || !profile.customDomainToken) throw new FormError({ customDomain: 'Enter a domain first.' });
    const recordName = verificationRecordName(profile.customDomain);
    let records: string[];
    try {
      records = await this.dns.resolveTxt(recordName);
    } catch {
      throw new FormError({ customDomain: `The DNS lookup of ${recordName} failed. Try again in a minute.` });
    }
    const token = profile.customDomainToken;
    if (!records.some((r) => r.trim() === token)) return { verified: false, found: records.slice(0, 5).map((r) => r.slice(0, 120)), recordName };
    try {
      await this.tx.run(async (m) => {
        if (await this.repo.hasVerifiedDomain(profile.customDomain!, profile.id, m)) {
          throw new FormError({ customDomain: 'This domain is already connected to another DevHub profile.' });
        }
        // only if the claim is still the one that was checked
        await m
          .getRepository(PublicProfile)
          .update({ id: profile.id, userId, customDomain: profile.customDomain!, customDomainToken: token }, { customDomainVerifiedAt: this.clock.now() });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new FormError({ customDomain: 'This domain is already connected to another DevHub profile.' });
      throw err;
    } finally {
      this.publicProfiles.invalidate();
    }
    return { verified: true, found: records, recordName };
  }

  async removeDomain(userId: string): Promise<void> {
    await this.tx.run((m) =>
      m.getRepository(PublicProfile).update({ userId }, { customDomain: null, customDomainToken: null, customDomainVerifiedAt: null }),
    );
    this.publicProfiles.invalidate();
  }

  /** The owner's own profile as the API shows it (GET /api/profile), public or not; null before it is saved. */
  async ownerSummary(userId: string): Promise<{ username: string; displayName: string; isPublic: boolean; url: string } | null> {
    const profile = await this.repo.findByUserId(userId);
    if (!profile) return null;
    return { username: profile.username, displayName: profile.displayName, isPublic: profile.isPublic, url: profileUrl(this.config.baseUrl, profile.username) };
  }

  /** The owner's QR code, public or not (to print before publishing). */
  async ownerQr(userId: string, format: 'svg' | 'png'): Promise<{ image: QrImage; username: string } | null> {
    const profile = await this.repo.findByUserId(userId);
    if (!profile) return null;
    const url = profileUrl(this.config.baseUrl, profile.username);
    return { image: format === 'svg' ? await this.qr.svg(url) : await this.qr.png(url), username: profile.username };
  }
}
