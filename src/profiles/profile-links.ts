/**
 * Profile links. Each kind accepts what people paste (a handle or a URL) and is stored as one
 * normalised https URL, so every consumer (page, vCard, JSON, contact prefill) reads the same thing.
 */
export const LINK_KINDS = ['github', 'twitter', 'linkedin', 'mastodon', 'bluesky', 'other'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
export type ProfileLinks = Partial<Record<LinkKind, string>>;

export const LINK_LABELS: Record<LinkKind, string> = {
  github: 'GitHub',
  twitter: 'X / Twitter',
  linkedin: 'LinkedIn',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  other: 'Link',
};

export const LINK_HINTS: Record<LinkKind, string> = {
  github: 'Username or https://github.com/…',
  twitter: '@handle or https://x.com/…',
  linkedin: 'https://www.linkedin.com/in/…',
  mastodon: '@you@instance.social or its URL',
  bluesky: 'you.bsky.social or https://bsky.app/profile/…',
  other: 'Any https:// link',
};

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const TWITTER_HANDLE = /^[A-Za-z0-9_]{1,15}$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MASTODON_USER = /^[A-Za-z0-9_]{1,30}$/;

function parseUrl(raw: string): URL | null {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : null;
  } catch {
    return null;
  }
}

const firstSegment = (u: URL) => u.pathname.split('/').filter(Boolean)[0] ?? '';

/** An http(s) URL without credentials, at most 500 characters; else null. */
export function normalizeWebUrl(raw: string): string | null {
  const value = raw.trim();
  if (!value || value.length > 500 || /\s/.test(value)) return null;
  const u = parseUrl(value);
  if (!u || u.username || u.password || !HOSTNAME.test(u.hostname)) return null;
  return u.toString();
}

type Normalizer = (raw: string) => string | null;

const NORMALIZERS: Record<LinkKind, Normalizer> = {
  github(raw) {
    let login = raw.replace(/^@/, '');
    if (/[/.]/.test(login)) {
      const u = parseUrl(login);
      if (!u || !/^(www\.)?github\.com$/i.test(u.hostname)) return null;
      login = firstSegment(u);
    }
    return GITHUB_LOGIN.test(login) ? `https://github.com/${login}` : null;
  },
  twitter(raw) {
    let handle = raw.replace(/^@/, '');
    if (/[/.]/.test(handle)) {
      const u = parseUrl(handle);
      if (!u || !/^(www\.|mobile\.)?(twitter|x)\.com$/i.test(u.hostname)) return null;
      handle = firstSegment(u).replace(/^@/, '');
    }
    return TWITTER_HANDLE.test(handle) ? `https://x.com/${handle}` : null;
  },
  linkedin(raw) {
    if (!/[/.]/.test(raw)) return /^[A-Za-z0-9-]{3,100}$/.test(raw) ? `https://www.linkedin.com/in/${raw}` : null;
    const u = parseUrl(raw);
    if (!u || !/^([a-z]{2,3}\.|www\.)?linkedin\.com$/i.test(u.hostname)) return null;
    const [kind, slug] = u.pathname.split('/').filter(Boolean);
    if (!kind || !slug || !['in', 'company', 'pub'].includes(kind)) return null;
    try {
      return `https://www.linkedin.com/${kind}/${encodeURIComponent(decodeURIComponent(slug))}`;
    } catch {
      return null; // a malformed %-escape is a form error, not a 500
    }
  },
  mastodon(raw) {
    const handle = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(raw);
    if (handle) {
      const [, user, host] = handle;
      return MASTODON_USER.test(user) && HOSTNAME.test(host) ? `https://${host.toLowerCase()}/@${user}` : null;
    }
    const u = parseUrl(raw);
    if (!u || !HOSTNAME.test(u.hostname)) return null;
    const seg = firstSegment(u);
    return /^@[A-Za-z0-9_]{1,30}$/.test(seg) ? `https://${u.hostname.toLowerCase()}/${seg}` : null;
  },
  bluesky(raw) {
    let handle = raw.replace(/^@/, '');
    if (handle.includes('/')) {
      const u = parseUrl(handle);
      if (!u || u.hostname.toLowerCase() !== 'bsky.app') return null;
      const parts = u.pathname.split('/').filter(Boolean);
      if (parts[0] !== 'profile' || !parts[1]) return null;
      handle = parts[1];
    }
    handle = handle.toLowerCase();
    return HOSTNAME.test(handle) || /^did:plc:[a-z0-9]{24}$/.test(handle) ? `https://bsky.app/profile/${handle}` : null;
  },
  other: (raw) => normalizeWebUrl(raw),
};

export const LINK_ERRORS: Record<LinkKind, string> = {
  github: 'Enter a GitHub username or https://github.com/… link.',
  twitter: 'Enter an X/Twitter handle or https://x.com/… link.',
  linkedin: 'Enter a https://www.linkedin.com/in/… link.',
  mastodon: 'Enter @you@instance.social or your profile link.',
  bluesky: 'Enter a handle such as you.bsky.social or a bsky.app link.',
  other: 'Enter a link starting with https://.',
};

/** Normalises every link; returns the clean object and a message per bad field (`links.github` …). */
export function normalizeLinks(input: Partial<Record<LinkKind, unknown>>): { links: ProfileLinks; errors: Record<string, string> } {
  const links: ProfileLinks = {};
  const errors: Record<string, string> = {};
  for (const kind of LINK_KINDS) {
    const raw = typeof input[kind] === 'string' ? (input[kind] as string).trim() : '';
    if (!raw) continue;
    const value = raw.length <= 500 ? NORMALIZERS[kind](raw) : null;
    if (value) links[kind] = value;
    else errors[`links.${kind}`] = LINK_ERRORS[kind];
  }
  return { links, errors };
}

/** Reads the stored JSON defensively: only known kinds with http(s) URLs survive. */
export function parseStoredLinks(json: string | null | undefined): ProfileLinks {
  if (!json) return {};
  try {
    const data = JSON.parse(json) as Record<string, unknown>;
    const out: ProfileLinks = {};
    for (const kind of LINK_KINDS) {
      const v = data?.[kind];
      if (typeof v === 'string' && /^https?:\/\//.test(v)) out[kind] = v;
    }
    return out;
  } catch {
    return {};
  }
}

/** A short label for a link: the handle where there is one, else the host and path. */
export function linkLabel(kind: LinkKind, url: string): string {
  try {
    const u = new URL(url);
    const parts = u.pathname.split('/').filter(Boolean);
    switch (kind) {
      case 'github':
      case 'twitter':
        return `@${parts[0]}`;
      case 'mastodon':
        return `${parts[0]}@${u.hostname}`;
      case 'bluesky':
        return `@${parts[1]}`;
      case 'linkedin':
        return parts[1] ? decodeURIComponent(parts[1]) : u.hostname;
      default:
        return (u.hostname + u.pathname).replace(/\/$/, '');
    }
  } catch {
    return url;
  }
}

export const githubLoginFromLinks = (links: ProfileLinks): string | null =>
  links.github ? (new URL(links.github).pathname.split('/').filter(Boolean)[0] ?? null) : null;

export const twitterHandleFromLinks = (links: ProfileLinks): string | null =>
  links.twitter ? (new URL(links.twitter).pathname.split('/').filter(Boolean)[0] ?? null) : null;

/** What the editor shows in each input: the stored URL, or what the user typed on a failed save. */
export function linksForForm(links: ProfileLinks): Record<LinkKind, string> {
  return Object.fromEntries(LINK_KINDS.map((k) => [k, links[k] ?? ''])) as Record<LinkKind, string>;
}
