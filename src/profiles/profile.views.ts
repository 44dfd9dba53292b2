import { bioPlainText, renderBio, truncate } from './bio';
import { serializeJsonLd } from './json-ld';
import { LINK_KINDS, LINK_LABELS, githubLoginFromLinks, linkLabel, twitterHandleFromLinks, type LinkKind } from './profile-links';
import type { PublicProfileRecord } from './profile-record';
import { buildVCard } from './vcard';

/**
 * The one place where a profile record becomes something a page, a JSON client, a vCard or a
 * crawler sees. Every absolute URL here is built from BASE_URL, never from the request's Host.
 */
export const profilePath = (username: string) => `/@${username}`;
export const profileUrl = (baseUrl: string, username: string) => `${baseUrl}${profilePath(username)}`;

export interface CardLink {
  kind: LinkKind;
  name: string;
  label: string;
  url: string;
}

export interface ProfileCard {
  username: string;
  displayName: string;
  initials: string;
  headline: string | null;
  location: string | null;
  website: { url: string; label: string } | null;
  bioHtml: string;
  links: CardLink[];
  avatarUrl: string | null;
  url: string;
  path: string;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => [...p][0]!.toUpperCase())
    .join('');
}

export function websiteLabel(url: string): string {
  try {
    const u = new URL(url);
    return (u.hostname.replace(/^www\./, '') + u.pathname).replace(/\/$/, '');
  } catch {
    return url;
  }
}

export function toCard(p: Pick<PublicProfileRecord, 'username' | 'displayName' | 'headline' | 'location' | 'website' | 'bio' | 'bioFormat' | 'links' | 'avatarUrl'>, baseUrl: string): ProfileCard {
  const name = p.displayName || p.username;
  return {
    username: p.username,
    displayName: name,
    initials: initials(name) || p.username.slice(0, 2).toUpperCase(),
    headline: p.headline,
    location: p.location,
    website: p.website ? { url: p.website, label: websiteLabel(p.website) } : null,
    bioHtml: renderBio(p.bio, p.bioFormat),
    links: LINK_KINDS.filter((k) => p.links[k]).map((kind) => ({ kind, name: LINK_LABELS[kind], label: linkLabel(kind, p.links[kind]!), url: p.links[kind]! })),
    avatarUrl: p.avatarUrl,
    url: profileUrl(baseUrl, p.username),
    path: profilePath(p.username),
  };
}

/** `GET /api/profiles/@:username`: the contract's public fields, nothing else. */
export function toApiJson(p: PublicProfileRecord, baseUrl: string) {
  return {
    username: p.username,
    displayName: p.displayName || p.username,
    headline: p.headline,
    bio: p.bio,
    location: p.location,
    website: p.website,
    links: { ...p.links },
    avatarUrl: p.avatarUrl,
    url: profileUrl(baseUrl, p.username),
  };
}

export function description(p: PublicProfileRecord): string {
  const bio = bioPlainText(p.bio, p.bioFormat);
  const text = [p.headline, bio].filter(Boolean).join(' · ');
  return truncate(text || `${p.displayName || p.username} on DevHub.`, 200);
}

export interface PageMeta {
  title: string;
  /** the canonical URL without its scheme, for people to read and type */
  displayUrl: string;
  description: string;
  canonical: string;
  ogTitle: string;
  image: string | null;
  imageAlt: string;
  twitterCard: 'summary';
  twitterCreator: string | null;
  username: string;
}

export function toMeta(p: PublicProfileRecord, baseUrl: string): PageMeta {
  const name = p.displayName || p.username;
  const twitter = twitterHandleFromLinks(p.links);
  return {
    title: `${name} (@${p.username}) · DevHub`,
    displayUrl: profileUrl(baseUrl, p.username).replace(/^https?:\/\//, ''),
    description: description(p),
    canonical: profileUrl(baseUrl, p.username),
    ogTitle: p.headline ? `${name} · ${p.headline}` : name,
    image: p.avatarUrl,
    imageAlt: `Picture of ${name}`,
    twitterCard: 'summary',
    twitterCreator: twitter ? `@${twitter}` : null,
    username: p.username,
  };
}

/** schema.org Person from the public fields only, serialised for a script element. */
export function toJsonLd(p: PublicProfileRecord, baseUrl: string): string {
  const url = profileUrl(baseUrl, p.username);
  const sameAs = [p.website, ...LINK_KINDS.map((k) => p.links[k])].filter((u): u is string => Boolean(u));
  const bio = bioPlainText(p.bio, p.bioFormat);
  const person: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'Person',
    '@id': `${url}#person`,
    name: p.displayName || p.username,
    alternateName: `@${p.username}`,
    url,
  };
  if (p.headline) person.jobTitle = p.headline;
  if (bio) person.description = truncate(bio, 500);
  if (p.avatarUrl) person.image = p.avatarUrl;
  if (p.location) person.homeLocation = { '@type': 'Place', name: p.location };
  if (sameAs.length) person.sameAs = sameAs;
  const github = githubLoginFromLinks(p.links);
  if (github) person.identifier = { '@type': 'PropertyValue', propertyID: 'GitHub', value: github };
  return serializeJsonLd(person);
}

export function toVCard(p: PublicProfileRecord, baseUrl: string): string {
  return buildVCard({
    uid: p.id,
    fullName: p.displayName || p.username,
    nickname: p.username,
    title: p.headline,
    note: bioPlainText(p.bio, p.bioFormat) || null,
    locality: p.location,
    profileUrl: profileUrl(baseUrl, p.username),
    website: p.website,
    photoUrl: p.avatarUrl,
    socials: LINK_KINDS.filter((k) => k !== 'other' && p.links[k]).map((k) => ({ type: k === 'twitter' ? 'x' : k, url: p.links[k]! })),
    revision: p.updatedAt,
  });
}

export interface PageViewer {
  signedIn: boolean;
  isOwner: boolean;
  existingContactPath?: string | null;
  addAction?: string;
  csrfToken?: string;
  canAdd?: boolean;
}

/** Everything views/profiles/page.hbs reads. */
export function toPageModel(p: PublicProfileRecord, baseUrl: string, extra: { qrSvg: string; viewer: PageViewer | null; flash?: unknown }) {
  const path = profilePath(p.username);
  return {
    meta: toMeta(p, baseUrl),
    jsonLd: toJsonLd(p, baseUrl),
    card: toCard(p, baseUrl),
    qrSvg: extra.qrSvg,
    paths: { vcard: `${path}.vcf`, qrPng: `${path}/qr.png`, qrSvg: `${path}/qr.svg` },
    devhubUrl: baseUrl,
    signupUrl: `${baseUrl}/signup?ref=profile`,
    viewer: extra.viewer,
    flash: extra.flash,
  };
}

export const qrLabel = (url: string) => `QR code linking to ${url}`;
