/**
 * Pure logic of the GitHub sync: trimming GitHub's answers to the fields DevHub reads, the snapshot
 * of a contact's account, the facts (insights) between two snapshots, and the activity score.
 * No I/O here, so all of it is unit-tested (snapshot.spec.ts).
 */
import type { InsightType } from './github.entity';

const DAY_MS = 86_400_000;

export interface TrimmedUser {
  id: number;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  htmlUrl: string;
  bio: string | null;
  company: string | null;
  location: string | null;
  blog: string | null;
  followers: number;
  publicRepos: number;
}

export interface TrimmedRepo {
  fullName: string;
  name: string;
  fork: boolean;
  stars: number;
  description: string | null;
  language: string | null;
  htmlUrl: string;
  createdAt: string | null;
  pushedAt: string | null;
}

export interface TrimmedRelease {
  id: number;
  tag: string;
  name: string | null;
  htmlUrl: string;
  publishedAt: string | null;
}

/** An event, with the few payload fields the timeline and the activity score read (no bodies). */
export interface TrimmedEvent {
  id: string;
  type: string;
  createdAt: string;
  actor: string;
  repo: string;
  action: string | null;
  /** issue or pull request number, title, link and author */
  number: number | null;
  title: string | null;
  htmlUrl: string | null;
  author: string | null;
  isPullRequest: boolean;
  /** lower-cased logins @mentioned in the comment, issue or pull request text */
  mentions: string[];
}

export interface Social {
  provider: string;
  url: string;
}

export interface Snapshot {
  takenAt: string;
  user: TrimmedUser;
  /** their own repositories as last listed (most recently updated first) */
  repos: TrimmedRepo[];
  /** release ids seen per repository (full name) */
  releases: Record<string, number[]>;
  social: Social[];
  lastEventAt: string | null;
  activityScore: number;
}

type Json = Record<string, unknown>;
const s = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

export function trimUser(raw: unknown): TrimmedUser {
  const u = obj(raw);
  return {
    id: n(u.id),
    login: String(u.login ?? ''),
    name: s(u.name),
    avatarUrl: s(u.avatar_url),
    htmlUrl: s(u.html_url) ?? `https://github.com/${String(u.login ?? '')}`,
    bio: s(u.bio),
    company: s(u.company),
    location: s(u.location),
    blog: s(u.blog),
    followers: n(u.followers),
    publicRepos: n(u.public_repos),
  };
}

export function trimRepos(raw: unknown): TrimmedRepo[] {
  return (Array.isArray(raw) ? raw : []).map((r: Json) => ({
    fullName: String(r.full_name ?? ''),
    name: String(r.name ?? ''),
    fork: Boolean(r.fork),
    stars: n(r.stargazers_count),
    description: s(r.description)?.slice(0, 300) ?? null,
    language: s(r.language),
    htmlUrl: String(r.html_url ?? ''),
    createdAt: s(r.created_at),
    pushedAt: s(r.pushed_at),
  }));
}

export function trimReleases(raw: unknown): TrimmedRelease[] {
  return (Array.isArray(raw) ? raw : [])
    .filter((r: Json) => !r.draft)
    .map((r: Json) => ({ id: n(r.id), tag: String(r.tag_name ?? ''), name: s(r.name), htmlUrl: String(r.html_url ?? ''), publishedAt: s(r.published_at) }));
}

export function trimSocial(raw: unknown): Social[] {
  return (Array.isArray(raw) ? raw : []).map((a: Json) => ({ provider: String(a.provider ?? 'generic'), url: String(a.url ?? '') })).filter((a) => a.url);
}

const MENTION = /(?:^|[^\w/])@([a-z\d](?:[a-z\d-]{0,38}))/gi;
export function mentionsIn(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const found = new Set<string>();
  for (const m of text.slice(0, 20_000).matchAll(MENTION)) {
    found.add(m[1]!.toLowerCase());
    if (found.size >= 20) break;
  }
  return [...found];
}

export function trimEvents(raw: unknown): TrimmedEvent[] {
  return (Array.isArray(raw) ? raw : []).map((e: Json) => {
    const p = obj(e.payload);
    const item = obj(p.pull_request ?? p.issue);
    const comment = obj(p.comment ?? p.review);
    return {
      id: String(e.id ?? ''),
      type: String(e.type ?? ''),
      createdAt: String(e.created_at ?? ''),
      actor: String(obj(e.actor).login ?? ''),
      repo: String(obj(e.repo).name ?? ''),
      action: s(p.action),
      number: typeof item.number === 'number' ? item.number : null,
      title: s(item.title)?.slice(0, 200) ?? null,
      htmlUrl: s(comment.html_url) ?? s(item.html_url),
      author: s(obj(item.user).login),
      isPullRequest: Boolean(p.pull_request) || Boolean(obj(p.issue).pull_request),
      mentions: [...new Set([...mentionsIn(comment.body), ...(p.action === 'opened' ? mentionsIn(item.body) : [])])],
    };
  });
}

/** 10, 50, 100, 500, 1k, 5k, 10k… : the highest one reached by `count` (0 below 10). */
export function milestoneOf(count: number): number {
  let best = 0;
  for (let base = 10; base <= count; base *= 10) {
    best = base;
    if (base * 5 <= count) best = base * 5;
  }
  return best;
}

const EVENT_WEIGHTS: Record<string, number> = {
  PullRequestEvent: 3,
  ReleaseEvent: 3,
  PullRequestReviewEvent: 2,
  PushEvent: 1,
  IssuesEvent: 1.5,
  CreateEvent: 1,
  IssueCommentEvent: 1,
  PullRequestReviewCommentEvent: 1,
  PublicEvent: 1,
  ForkEvent: 0.5,
  WatchEvent: 0.3,
};

/**
 * 0–100 from recent public events: each event weighs by kind (pull requests and releases most,
 * stars and watches least) times 0.9^age in months; the sum is squashed so that ~25 weighted events
 * a month score about 63 and the score never passes 100.
 */
export function activityScore(events: Pick<TrimmedEvent, 'type' | 'createdAt'>[], now: Date): number {
  let raw = 0;
  for (const e of events) {
    const t = Date.parse(e.createdAt);
    if (!Number.isFinite(t)) continue;
    const months = Math.max(0, Math.floor((now.getTime() - t) / (30 * DAY_MS)));
    raw += (EVENT_WEIGHTS[e.type] ?? 0.5) * 0.9 ** months;
  }
  return Math.round(100 * (1 - Math.exp(-raw / 25)));
}

export interface Fact {
  type: InsightType;
  key: string;
  title: string;
  description: string | null;
  url: string | null;
  metadata: Record<string, unknown>;
}

const norm = (v: string | null) => (v ?? '').trim().replace(/\s+/g, ' ');
const fmt = (x: number) => (x >= 1000 ? `${x / 1000}k` : String(x));

/**
 * The facts between the stored snapshot and a new sync. `prev` null is the first sync: it only sets
 * the baseline. Keys name the fact itself (a repo, a release id, a milestone, a value), so seeing it
 * again on a later sync never makes a second insight.
 */
export function factsBetween(
  prev: Snapshot | null,
  next: Snapshot,
  read: { events: TrimmedEvent[]; releases: Record<string, TrimmedRelease[]> },
  name: string,
): Fact[] {
  if (!prev) return [];
  const facts: Fact[] = [];
  const u = next.user;
  const uid = u.id || u.login.toLowerCase();
  const prevRepos = new Map(prev.repos.map((r) => [r.fullName.toLowerCase(), r]));
  // a repository missing from the previous list may just have moved up the "recently updated" page:
  // it is new only if it was created since shortly before the previous sync
  const since = Date.parse(prev.takenAt) - 7 * DAY_MS;
  for (const r of next.repos) {
    if (r.fork) continue;
    const before = prevRepos.get(r.fullName.toLowerCase());
    if (!before && r.createdAt && Date.parse(r.createdAt) >= since) {
      facts.push({
        type: 'new_repo',
        key: `new_repo:${uid}:${r.fullName.toLowerCase()}`,
        title: `${name} created ${r.name}`,
        description: r.description ?? (r.language ? `A new ${r.language} repository.` : 'A new repository.'),
        url: r.htmlUrl,
        metadata: { repo: r.fullName, language: r.language },
      });
    }
    if (before) {
      const [a, b] = [milestoneOf(before.stars), milestoneOf(r.stars)];
      if (b > a) {
        facts.push({
          type: 'star_milestone',
          key: `star_milestone:${r.fullName.toLowerCase()}:${b}`,
          title: `${r.name} passed ${fmt(b)} stars`,
          description: `${name}'s ${r.fullName} now has ${r.stars} stars.`,
          url: r.htmlUrl,
          metadata: { repo: r.fullName, milestone: b, stars: r.stars },
        });
      }
    }
  }
  const [fa, fb] = [milestoneOf(prev.user.followers), milestoneOf(u.followers)];
  if (fb > fa) {
    facts.push({
      type: 'followers_milestone',
      key: `followers_milestone:${uid}:${fb}`,
      title: `${name} passed ${fmt(fb)} followers`,
      description: `@${u.login} now has ${u.followers} followers on GitHub.`,
      url: u.htmlUrl,
      metadata: { milestone: fb, followers: u.followers },
    });
  }
  const changes: Array<[InsightType, 'company' | 'bio' | 'location', (a: string, b: string) => string]> = [
    ['company_change', 'company', (a, b) => (a ? `${name} moved from ${a} to ${b}` : `${name} is now at ${b}`)],
    ['bio_change', 'bio', () => `${name} updated their bio`],
    ['location_change', 'location', (a, b) => (a ? `${name} moved from ${a} to ${b}` : `${name} is now in ${b}`)],
  ];
  for (const [type, field, title] of changes) {
    const [a, b] = [norm(prev.user[field]), norm(u[field])];
    if (b && a.toLowerCase() !== b.toLowerCase()) {
      facts.push({
        type,
        key: `${type}:${a.toLowerCase().slice(0, 100)}>${b.toLowerCase().slice(0, 100)}`,
        title: title(a, b).slice(0, 300),
        description: type === 'bio_change' ? b.slice(0, 500) : a ? `Was: ${a}` : null,
        url: u.htmlUrl,
        metadata: { from: a || null, to: b },
      });
    }
  }
  for (const [repo, releases] of Object.entries(read.releases)) {
    const known = prev.releases[repo];
    // a repository whose releases were not read before sets its baseline now
    if (!known) continue;
    for (const rel of releases) {
      if (known.includes(rel.id)) continue;
      facts.push({
        type: 'new_release',
        key: `new_release:${repo.toLowerCase()}:${rel.id}`,
        title: `${name} released ${rel.name && rel.name !== rel.tag ? `${rel.name} (${rel.tag})` : rel.tag} of ${repo.split('/')[1] ?? repo}`.slice(0, 300),
        description: `A new release of ${repo}.`,
        url: rel.htmlUrl,
        metadata: { repo, tag: rel.tag },
      });
    }
  }
  // public activity after 90 or more quiet days (no event known before, or the last one 90+ days back)
  const quietSince = prev.lastEventAt ? Date.parse(prev.lastEventAt) : Date.parse(prev.takenAt) - 90 * DAY_MS;
  const firstNew = read.events.filter((e) => Date.parse(e.createdAt) > quietSince).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
  if (firstNew && Date.parse(firstNew.createdAt) - quietSince >= 90 * DAY_MS) {
    facts.push({
      type: 'active_again',
      key: `active_again:${firstNew.id}`,
      title: `${name} is active on GitHub again`,
      description: `First public activity in ${Math.floor((Date.parse(firstNew.createdAt) - quietSince) / DAY_MS)} days (${firstNew.type.replace(/Event$/, '')} in ${firstNew.repo}).`,
      url: `https://github.com/${firstNew.repo}`,
      metadata: { eventId: firstNew.id, repo: firstNew.repo },
    });
  }
  return facts;
}

/** Own, non-fork repositories pushed in the last 30 days, most recent first: whose releases are read. */
export function releaseCandidates(repos: TrimmedRepo[], now: Date, max = 3): TrimmedRepo[] {
  return repos
    .filter((r) => !r.fork && r.pushedAt && now.getTime() - Date.parse(r.pushedAt) <= 30 * DAY_MS)
    .sort((a, b) => Date.parse(b.pushedAt!) - Date.parse(a.pushedAt!))
    .slice(0, max);
}

export function topRepos(repos: TrimmedRepo[], max = 5): TrimmedRepo[] {
  return repos.filter((r) => !r.fork).sort((a, b) => b.stars - a.stars).slice(0, max);
}
