import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CurrentUser } from '../auth/user.entity';
import { ViewRecorder, type ViewInput } from '../analytics/view-recorder.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { ContactsService } from '../contacts/contacts.service';
import { bioPlainText } from './bio';
import { githubLoginFromLinks, twitterHandleFromLinks } from './profile-links';
import type { PublicProfileRecord } from './profile-record';
import { profilePath, profileUrl, qrLabel, toApiJson, toPageModel, toVCard, type PageViewer } from './profile.views';
import { ProfilePageRenderer } from './profile-page.renderer';
import { PublicProfilesService } from './public-profiles.service';
import { QrCodeService, type QrImage } from './qr-code.service';

export type Resolved<T> = { kind: 'ok'; value: T } | { kind: 'redirect'; location: string } | { kind: 'none' };

export interface PageRequest {
  handle: string;
  viewer: CurrentUser | null;
  /** served at `/` of a verified custom domain (no session there, links stay relative) */
  onCustomDomain: boolean;
  csrfToken: () => string;
  flash: unknown;
  /** HEAD and other non-views are rendered but not counted */
  countView: boolean;
  visit: Omit<ViewInput, 'profileId' | 'ownerId' | 'ownerTimezone' | 'viewerUserId'>;
}

export type AddContactResult = { kind: 'none' } | { kind: 'own' } | { kind: 'existing' | 'created'; contactId: string; name: string };

/**
 * Everything the public profile routes answer: the page, vCard, QR codes, JSON. Old usernames and
 * other letter cases answer 301 to the current URL; unknown and private profiles are one 404.
 */
@Injectable()
export class ProfilePagesService {
  private readonly models = new WeakMap<PublicProfileRecord, Promise<ReturnType<typeof toPageModel>>>();
  /**
   * What anonymous visitors get is the same bytes for everyone until the profile changes, so in
   * production it is rendered once per cached record (a write or the 2 s lookup TTL replaces the
   * record, and with it this entry). Elsewhere templates are re-read on every request.
   */
  private readonly anonymousPages = new WeakMap<PublicProfileRecord, Buffer>();
  readonly cacheAnonymousPages: boolean;

  constructor(
    private readonly profiles: PublicProfilesService,
    private readonly renderer: ProfilePageRenderer,
    private readonly qr: QrCodeService,
    private readonly views: ViewRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly contacts?: ContactsService,
  ) {
    this.cacheAnonymousPages = config.isProduction;
  }

  private async resolve<T>(handle: string, suffix: string, make: (p: PublicProfileRecord) => T | Promise<T>): Promise<Resolved<T>> {
    const found = await this.profiles.lookup(handle);
    if (found.kind === 'none') return { kind: 'none' };
    if (found.kind === 'redirect') return { kind: 'redirect', location: `${profilePath(found.username)}${suffix}` };
    return { kind: 'ok', value: await make(found.profile) };
  }

  page(req: PageRequest): Promise<Resolved<Buffer>> {
    return this.resolve(req.handle, '', async (p) => {
      const isOwner = req.viewer?.id === p.userId;
      if (req.countView) this.count(p, req.visit, req.viewer?.id ?? null);
      const viewer = req.viewer && !req.onCustomDomain ? await this.viewerState(req, p, isOwner) : null;
      const anonymous = !viewer && !req.flash;
      if (anonymous && this.cacheAnonymousPages) {
        const cached = this.anonymousPages.get(p);
        if (cached !== undefined) return cached;
      }
      const html = Buffer.from(this.renderer.render({ ...(await this.baseModel(p)), viewer, flash: req.flash }));
      if (anonymous && this.cacheAnonymousPages) this.anonymousPages.set(p, html);
      return html;
    });
  }

  /**
   * An anonymous visitor's page straight from memory, without a promise in sight, when both the
   * lookup and the rendered page are cached; undefined sends the caller down the full path.
   */
  cachedAnonymousPage(handle: string, countView: boolean, visit: PageRequest['visit']): Buffer | undefined {
    if (!this.cacheAnonymousPages) return undefined;
    const found = this.profiles.peek(handle);
    if (found?.kind !== 'profile') return undefined;
    const html = this.anonymousPages.get(found.profile);
    if (html !== undefined && countView) this.count(found.profile, visit, null);
    return html;
  }

  private count(p: PublicProfileRecord, visit: PageRequest['visit'], viewerUserId: string | null) {
    this.views.record({ ...visit, profileId: p.id, ownerId: p.userId, ownerTimezone: p.ownerTimezone, viewerUserId });
  }

  /**
   * The part of the page model that depends only on the profile, built once per cached record
   * (records are replaced when the profile changes or the short lookup cache expires).
   */
  private baseModel(p: PublicProfileRecord): Promise<ReturnType<typeof toPageModel>> {
    let model = this.models.get(p);
    if (!model) {
      const url = profileUrl(this.config.baseUrl, p.username);
      model = this.qr.inlineSvg(url, qrLabel(url)).then((qrSvg) => toPageModel(p, this.config.baseUrl, { qrSvg, viewer: null }));
      this.models.set(p, model);
    }
    return model;
  }

  private async viewerState(req: PageRequest, p: PublicProfileRecord, isOwner: boolean): Promise<PageViewer> {
    if (isOwner) return { signedIn: true, isOwner: true };
    const existing = await this.existingContact(req.viewer!.id, p);
    return {
      signedIn: true,
      isOwner: false,
      existingContactPath: existing ? `/contacts/${existing}` : null,
      addAction: `${profilePath(p.username)}/contact`,
      csrfToken: req.csrfToken(),
      canAdd: Boolean(this.contacts),
    };
  }

  private async existingContact(userId: string, p: PublicProfileRecord): Promise<string | null> {
    const githubUsername = githubLoginFromLinks(p.links);
    if (!this.contacts || !githubUsername) return null;
    const [match] = await this.contacts.findDuplicates(userId, { githubUsername: githubUsername.toLowerCase() });
    return match?.id ?? null;
  }

  /** "Add to my DevHub": a contact in the viewer's own account, prefilled from the public fields. */
  async addToContacts(handle: string, viewer: CurrentUser): Promise<AddContactResult> {
    const found = await this.profiles.lookup(handle.toLowerCase());
    if (found.kind !== 'profile' || !this.contacts) return { kind: 'none' };
    const p = found.profile;
    if (p.userId === viewer.id) return { kind: 'own' };
    const name = p.displayName || p.username;
    const existing = await this.existingContact(viewer.id, p);
    if (existing) return { kind: 'existing', contactId: existing, name };
    const url = profileUrl(this.config.baseUrl, p.username);
    const bio = bioPlainText(p.bio, p.bioFormat);
    const created = await this.contacts.create(viewer.id, {
      name: name.slice(0, 200),
      githubUsername: githubLoginFromLinks(p.links)?.toLowerCase() ?? null,
      twitter: twitterHandleFromLinks(p.links),
      linkedin: p.links.linkedin ?? null,
      website: p.website ?? p.links.other ?? null,
      location: p.location,
      title: p.headline,
      notes: [`Added from their DevHub profile: ${url}`, bio].filter(Boolean).join('\n\n').slice(0, 10_000),
    });
    return { kind: 'created', contactId: created.id, name };
  }

  vcard(handle: string): Promise<Resolved<{ body: string; filename: string }>> {
    return this.resolve(handle, '.vcf', (p) => ({ body: toVCard(p, this.config.baseUrl), filename: `${p.username}.vcf` }));
  }

  qrCode(handle: string, format: 'svg' | 'png'): Promise<Resolved<QrImage>> {
    return this.resolve(handle, `/qr.${format}`, (p) => {
      const url = profileUrl(this.config.baseUrl, p.username);
      return format === 'svg' ? this.qr.svg(url) : this.qr.png(url);
    });
  }

  async api(handle: string): Promise<Resolved<ReturnType<typeof toApiJson>>> {
    const r = await this.resolve(handle, '', (p) => toApiJson(p, this.config.baseUrl));
    return r.kind === 'redirect' ? { kind: 'redirect', location: `/api/profiles${r.location}` } : r;
  }
}
