import { fromContactEvents, fromOwnEvents } from './conversations';
import { activityScore, factsBetween, milestoneOf, Snapshot, trimEvents, TrimmedRepo } from './snapshot';

const user = (over: Partial<Snapshot['user']> = {}): Snapshot['user'] => ({
  id: 7,
  login: 'ada',
  name: 'Ada',
  avatarUrl: null,
  htmlUrl: 'https://github.com/ada',
  bio: 'Engines',
  company: 'Analytical',
  location: 'London',
  blog: null,
  followers: 48,
  publicRepos: 3,
  ...over,
});
const repo = (name: string, over: Partial<TrimmedRepo> = {}): TrimmedRepo => ({
  fullName: `ada/${name}`,
  name,
  fork: false,
  stars: 5,
  description: null,
  language: 'Rust',
  htmlUrl: `https://github.com/ada/${name}`,
  createdAt: '2020-01-01T00:00:00Z',
  pushedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const snap = (over: Partial<Snapshot> = {}): Snapshot => ({ takenAt: '2026-03-01T00:00:00Z', user: user(), repos: [repo('engine')], releases: {}, social: [], lastEventAt: '2026-02-28T00:00:00Z', activityScore: 0, ...over });

describe('milestones', () => {
  it('steps 10, 50, 100, 500, 1k, 5k, 10k…', () => {
    expect([0, 9, 10, 49, 50, 99, 100, 499, 500, 999, 1000, 4999, 5000, 10_000, 12_345].map(milestoneOf)).toEqual([0, 0, 10, 10, 50, 50, 100, 100, 500, 500, 1000, 1000, 5000, 10_000, 10_000]);
  });
});

describe('facts between two snapshots', () => {
  const none = { events: [], releases: {} };

  it('the first sync is the baseline: no facts', () => {
    expect(factsBetween(null, snap(), none, 'Ada')).toEqual([]);
  });

  it('nothing changed: no facts', () => {
    expect(factsBetween(snap(), snap({ takenAt: '2026-03-02T00:00:00Z' }), none, 'Ada')).toEqual([]);
  });

  it('company, bio, location, followers and stars', () => {
    const next = snap({ user: user({ company: 'Babbage & Co', bio: 'Poetical science', location: 'Paris', followers: 51 }), repos: [repo('engine', { stars: 12 })] });
    const facts = factsBetween(snap(), next, none, 'Ada');
    expect(facts.map((f) => f.type).sort()).toEqual(['bio_change', 'company_change', 'followers_milestone', 'location_change', 'star_milestone']);
    const company = facts.find((f) => f.type === 'company_change')!;
    expect(company.title).toBe('Ada moved from Analytical to Babbage & Co');
    expect(company.key).toBe('company_change:analytical>babbage & co');
    expect(facts.find((f) => f.type === 'star_milestone')!.key).toBe('star_milestone:ada/engine:10');
  });

  it('a new repository counts only when it was created recently (not one that moved up the list), forks never', () => {
    const next = snap({ repos: [repo('engine'), repo('new-thing', { createdAt: '2026-03-01T12:00:00Z' }), repo('old-thing'), repo('forked', { fork: true, createdAt: '2026-03-01T12:00:00Z' })] });
    expect(factsBetween(snap(), next, none, 'Ada').map((f) => f.key)).toEqual(['new_repo:7:ada/new-thing']);
  });

  it('a release is new only against the ids seen before; a repo read for the first time is its baseline', () => {
    const rel = (id: number) => ({ id, tag: `v${id}`, name: null, htmlUrl: `https://github.com/ada/engine/releases/v${id}`, publishedAt: null });
    expect(factsBetween(snap(), snap(), { events: [], releases: { 'ada/engine': [rel(1)] } }, 'Ada')).toEqual([]);
    const facts = factsBetween(snap({ releases: { 'ada/engine': [1] } }), snap(), { events: [], releases: { 'ada/engine': [rel(2), rel(1)] } }, 'Ada');
    expect(facts.map((f) => [f.type, f.key, f.title])).toEqual([['new_release', 'new_release:ada/engine:2', 'Ada released v2 of engine']]);
  });

  it('active again after 90 quiet days, not after 89', () => {
    const ev = (id: string, at: string) => trimEvents([{ id, type: 'PushEvent', created_at: at, actor: { login: 'ada' }, repo: { name: 'ada/engine' }, payload: {} }])[0]!;
    const prev = snap({ lastEventAt: '2026-01-01T00:00:00Z' });
    expect(factsBetween(prev, snap(), { events: [ev('1', '2026-03-31T00:00:00Z')], releases: {} }, 'Ada').map((f) => f.key)).toEqual([]);
    expect(factsBetween(prev, snap(), { events: [ev('2', '2026-04-02T00:00:00Z')], releases: {} }, 'Ada').map((f) => f.key)).toEqual(['active_again:2']);
  });
});

describe('activity score', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();

  it('is 0 without events and never above 100', () => {
    expect(activityScore([], now)).toBe(0);
    expect(activityScore(Array.from({ length: 1000 }, () => ({ type: 'PullRequestEvent', createdAt: at(1) })), now)).toBe(100);
  });

  it('weighs pull requests over stars, and recent months over old ones', () => {
    const prs = activityScore(Array.from({ length: 5 }, () => ({ type: 'PullRequestEvent', createdAt: at(1) })), now);
    const stars = activityScore(Array.from({ length: 5 }, () => ({ type: 'WatchEvent', createdAt: at(1) })), now);
    const oldPrs = activityScore(Array.from({ length: 5 }, () => ({ type: 'PullRequestEvent', createdAt: at(70) })), now);
    expect(prs).toBeGreaterThan(oldPrs);
    expect(oldPrs).toBeGreaterThan(stars);
  });
});

describe('GitHub conversations', () => {
  const contacts = new Map([['grace', { id: 'c-grace', name: 'Grace' }]]);
  const raw = (over: Record<string, unknown>) => ({ id: 'e1', created_at: '2026-03-01T00:00:00Z', actor: { login: 'me' }, repo: { name: 'someone/else' }, payload: {}, ...over });

  it('a review of the contact\'s pull request, an issue in their repo, a mention; nothing for strangers', () => {
    const events = trimEvents([
      raw({ id: '1', type: 'PullRequestReviewEvent', repo: { name: 'org/x' }, payload: { action: 'created', review: { html_url: 'https://github.com/org/x/pull/3#r1' }, pull_request: { number: 3, title: 'Fix', user: { login: 'Grace' } } } }),
      raw({ id: '2', type: 'IssuesEvent', repo: { name: 'grace/cobol' }, payload: { action: 'opened', issue: { number: 9, title: 'Bug', user: { login: 'me' }, html_url: 'https://github.com/grace/cobol/issues/9' } } }),
      raw({ id: '3', type: 'IssueCommentEvent', repo: { name: 'org/y' }, payload: { action: 'created', comment: { body: 'cc @grace what do you think?', html_url: 'https://github.com/org/y/issues/1#c' }, issue: { number: 1, title: 'Plan', user: { login: 'bob' } } } }),
      raw({ id: '4', type: 'IssueCommentEvent', repo: { name: 'org/y' }, payload: { action: 'created', comment: { body: 'email me at x@grace.dev' }, issue: { number: 1, title: 'Plan', user: { login: 'bob' } } } }),
    ]);
    const out = fromOwnEvents(events, contacts);
    expect(out.map((c) => [c.eventId, c.contactId, c.summary])).toEqual([
      ['1', 'c-grace', "Reviewed Grace's pull request org/x#3: Fix"],
      ['2', 'c-grace', "Opened an issue in Grace's repository grace/cobol#9: Bug"],
      ['3', 'c-grace', 'Mentioned Grace in org/y#1: Plan'],
    ]);
    expect(out[0]!.url).toBe('https://github.com/org/x/pull/3#r1');
  });

  it("the contact's comment on the user's issue", () => {
    const events = trimEvents([raw({ id: '9', type: 'IssueCommentEvent', actor: { login: 'grace' }, repo: { name: 'me/tool' }, payload: { action: 'created', comment: { body: 'LGTM' }, issue: { number: 2, title: 'Idea', user: { login: 'me' } } } })]);
    expect(fromContactEvents(events, 'me', { id: 'c-grace', name: 'Grace' }).map((c) => c.summary)).toEqual(["Grace commented on your issue me/tool#2: Idea"]);
  });
});
