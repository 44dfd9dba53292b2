import type { TrimmedEvent } from './snapshot';

/** A GitHub conversation between the user and a contact, to become one `github` interaction. */
export interface Conversation {
  eventId: string;
  contactId: string;
  occurredAt: Date;
  summary: string;
  url: string | null;
}

const owner = (repo: string) => repo.split('/')[0]!.toLowerCase();
const ref = (e: TrimmedEvent) => `${e.repo}${e.number !== null ? `#${e.number}` : ''}${e.title ? `: ${e.title}` : ''}`;
const kind = (e: TrimmedEvent) => (e.isPullRequest || e.type.startsWith('PullRequest') ? 'pull request' : 'issue');
const aKind = (e: TrimmedEvent) => (kind(e) === 'issue' ? 'an issue' : 'a pull request');

/**
 * The user's own events that involve a contact: a review or comment on the contact's pull request or
 * issue, a pull request or issue opened in the contact's repository, a mention of the contact.
 * `contacts` maps lower-cased GitHub logins to contact ids.
 */
export function fromOwnEvents(events: TrimmedEvent[], contacts: Map<string, { id: string; name: string }>): Conversation[] {
  const out: Conversation[] = [];
  for (const e of events) {
    const author = e.author?.toLowerCase() ?? null;
    const repoOwner = owner(e.repo);
    const byAuthor = author ? contacts.get(author) : undefined;
    const byRepo = contacts.get(repoOwner);
    let hit: { id: string; name: string } | undefined;
    let summary = '';
    if ((e.type === 'PullRequestReviewEvent' || e.type === 'PullRequestReviewCommentEvent') && byAuthor) {
      hit = byAuthor;
      summary = `Reviewed ${byAuthor.name}'s pull request ${ref(e)}`;
    } else if (e.type === 'IssueCommentEvent' && byAuthor) {
      hit = byAuthor;
      summary = `Commented on ${byAuthor.name}'s ${kind(e)} ${ref(e)}`;
    } else if ((e.type === 'PullRequestEvent' || e.type === 'IssuesEvent') && e.action === 'opened' && byRepo) {
      hit = byRepo;
      summary = `Opened ${aKind(e)} in ${byRepo.name}'s repository ${ref(e)}`;
    } else if ((e.type === 'IssueCommentEvent' || e.type.startsWith('PullRequestReview')) && byRepo) {
      hit = byRepo;
      summary = `Commented on ${aKind(e)} in ${byRepo.name}'s repository ${ref(e)}`;
    } else {
      const mentioned = e.mentions.map((m) => contacts.get(m)).find(Boolean);
      if (mentioned) {
        hit = mentioned;
        summary = `Mentioned ${mentioned.name} in ${ref(e)}`;
      }
    }
    if (hit) out.push({ eventId: e.id, contactId: hit.id, occurredAt: new Date(e.createdAt), summary: summary.slice(0, 500), url: e.htmlUrl });
  }
  return out;
}

/**
 * A contact's public events that involve the user (`me`, lower-cased login): their review or
 * comment on the user's pull request or issue, a pull request or issue in the user's repository,
 * a mention of the user.
 */
export function fromContactEvents(events: TrimmedEvent[], me: string, contact: { id: string; name: string }): Conversation[] {
  const out: Conversation[] = [];
  for (const e of events) {
    if (e.actor.toLowerCase() === me) continue;
    const author = e.author?.toLowerCase() ?? null;
    let summary: string | null = null;
    if ((e.type === 'PullRequestReviewEvent' || e.type === 'PullRequestReviewCommentEvent') && author === me) summary = `${contact.name} reviewed your pull request ${ref(e)}`;
    else if (e.type === 'IssueCommentEvent' && author === me) summary = `${contact.name} commented on your ${kind(e)} ${ref(e)}`;
    else if ((e.type === 'PullRequestEvent' || e.type === 'IssuesEvent') && e.action === 'opened' && owner(e.repo) === me) summary = `${contact.name} opened ${aKind(e)} in your repository ${ref(e)}`;
    else if (e.mentions.includes(me)) summary = `${contact.name} mentioned you in ${ref(e)}`;
    if (summary) out.push({ eventId: e.id, contactId: contact.id, occurredAt: new Date(e.createdAt), summary: summary.slice(0, 500), url: e.htmlUrl });
  }
  return out;
}
