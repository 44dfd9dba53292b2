import type { ContactSignal, ContactSignals } from '../contacts/contact-signals.service';
import { DAY_MS } from '../common/time';
import type { DigestInsight, DigestInsightType } from './insight-source';

/** Why a contact made the list; each kind adds points to the score. */
export type SignalKind = 'followup_overdue' | 'followup_due' | 'cadence_lapsed' | 'vip_quiet' | 'insight' | 'active_again' | 'met_recently';

export interface ScorePart {
  label: string;
  points: number;
}

/** A contact the rules picked, before (or without) the model. */
export interface Candidate {
  contactId: string;
  contactName: string;
  company: string | null;
  title: string | null;
  isVip: boolean;
  kinds: SignalKind[];
  /** days since the last logged conversation; null when none was ever logged */
  daysSinceContact: number | null;
  insights: Array<Pick<DigestInsight, 'id' | 'type' | 'title' | 'url' | 'createdAt'>>;
  followUpId: string | null;
  reason: string;
  action: string;
  draft: string;
  score: number;
  parts: ScorePart[];
}

export const MAX_PRIORITIES = 10;
/** VIPs not contacted for this long are brought up */
export const VIP_QUIET_DAYS = 45;
/** "met recently": added within this many days, at least two days ago, with at most one logged interaction */
export const MET_RECENTLY_DAYS = 21;
/** a conversation this recent lowers the score: you just talked */
const JUST_TALKED_DAYS = 3;

const INSIGHT_POINTS: Record<DigestInsightType, number> = {
  new_release: 30,
  new_repo: 22,
  company_change: 26,
  active_again: 24,
  star_milestone: 16,
  followers_milestone: 10,
  bio_change: 8,
  location_change: 10,
};

const firstName = (name: string) => name.trim().split(/\s+/)[0] || name;

function daysBetween(later: Date, earlier: Date): number {
  return Math.max(0, Math.floor((later.getTime() - earlier.getTime()) / DAY_MS));
}

function ago(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  return `${days} days ago`;
}

function lastSpoke(days: number | null): string {
  if (days === null) return 'you have not logged a conversation yet';
  if (days === 0) return 'you last spoke today';
  if (days === 1) return 'you last spoke yesterday';
  return `you last spoke ${days} days ago`;
}

/** "Ada released v2.0 of fastjson" → "released v2.0 of fastjson" when the title starts with the name. */
function insightPhrase(title: string, name: string): string {
  const first = firstName(name);
  for (const prefix of [name, first]) {
    if (title.toLowerCase().startsWith(prefix.toLowerCase() + ' ')) return `${first} ${title.slice(prefix.length + 1)}`;
  }
  return `${first}: ${title}`;
}

interface Draft {
  c: ContactSignal;
  kinds: Set<SignalKind>;
  parts: ScorePart[];
  insights: Candidate['insights'];
  followUpId: string | null;
  followUpDays: number;
  cadenceOverdueDays: number;
}

export interface RankInput {
  now: Date;
  /** end of the user's local day: follow-ups due before it are "due today" */
  endOfToday: Date;
  signals: ContactSignals;
  /** new, unacknowledged insights (any order); insights for unknown contacts are ignored */
  insights: DigestInsight[];
  /** contacts snoozed, dismissed or just reached out to: left out */
  held: Set<string>;
}

/**
 * The rule-based ranker: deterministic (same input, same list, ties broken by name then id) and
 * needs nothing but the database. Picks at most MAX_PRIORITIES contacts.
 */
export function rankCandidates(input: RankInput, limit = MAX_PRIORITIES): Candidate[] {
  const { now, endOfToday, signals } = input;
  const byId = new Map(signals.contacts.map((c) => [c.id, c]));
  const drafts = new Map<string, Draft>();
  const draftFor = (c: ContactSignal): Draft => {
    let d = drafts.get(c.id);
    if (!d) {
      d = { c, kinds: new Set(), parts: [], insights: [], followUpId: null, followUpDays: 0, cadenceOverdueDays: 0 };
      drafts.set(c.id, d);
    }
    return d;
  };

  for (const f of signals.dueFollowUps) {
    const c = byId.get(f.contactId);
    if (!c || input.held.has(c.id)) continue;
    const d = draftFor(c);
    if (d.followUpId) continue; // the oldest one speaks for the contact
    // overdue: due before today began (in the user's zone); due today: any time today, even an hour ago
    const startOfToday = new Date(endOfToday.getTime() - DAY_MS);
    const overdueDays = f.dueAt < startOfToday ? Math.max(1, Math.ceil((startOfToday.getTime() - f.dueAt.getTime()) / DAY_MS)) : 0;
    d.followUpId = f.id;
    d.followUpDays = overdueDays;
    if (f.isCadence) {
      d.kinds.add('cadence_lapsed');
      d.cadenceOverdueDays = overdueDays;
      d.parts.push({ label: overdueDays ? `keep-in-touch cadence lapsed ${overdueDays} days ago` : 'keep-in-touch check-in due today', points: 25 + Math.min(20, overdueDays) });
    } else if (overdueDays) {
      d.kinds.add('followup_overdue');
      d.parts.push({ label: `follow-up overdue by ${overdueDays} day${overdueDays === 1 ? '' : 's'}`, points: 45 + Math.min(20, overdueDays * 2) });
    } else {
      d.kinds.add('followup_due');
      d.parts.push({ label: 'follow-up due today', points: 40 });
    }
  }

  for (const c of signals.contacts) {
    if (input.held.has(c.id)) continue;
    const since = c.lastInteractionAt ? daysBetween(now, c.lastInteractionAt) : null;
    if (c.isVip && (since === null || since >= VIP_QUIET_DAYS)) {
      const quiet = since ?? daysBetween(now, c.createdAt);
      if (quiet >= VIP_QUIET_DAYS || since === null) {
        const d = draftFor(c);
        d.kinds.add('vip_quiet');
        d.parts.push({ label: since === null ? 'VIP, no conversation logged' : `VIP, quiet for ${since} days`, points: 30 + Math.min(20, Math.floor(quiet / 15)) });
      }
    }
    const age = daysBetween(now, c.createdAt);
    if (age >= 2 && age <= MET_RECENTLY_DAYS && (signals.recentInteractionCounts.get(c.id) ?? 0) <= 1 && !signals.dueFollowUps.some((f) => f.contactId === c.id)) {
      const d = draftFor(c);
      d.kinds.add('met_recently');
      d.parts.push({ label: `added ${age} days ago, not followed up`, points: 26 });
    }
  }

  const insights = [...input.insights].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));
  for (const i of insights) {
    const c = byId.get(i.contactId);
    if (!c || i.acknowledged || input.held.has(c.id)) continue;
    const d = draftFor(c);
    const first = d.insights.length === 0;
    if (d.insights.length >= 3) continue;
    d.insights.push({ id: i.id, type: i.type, title: i.title, url: i.url, createdAt: i.createdAt });
    d.kinds.add(i.type === 'active_again' ? 'active_again' : 'insight');
    const points = first ? INSIGHT_POINTS[i.type] ?? 10 : 5;
    d.parts.push({ label: i.type === 'active_again' ? 'active again on GitHub' : `GitHub: ${i.type.replace(/_/g, ' ')}`, points });
  }

  const out: Candidate[] = [];
  for (const d of drafts.values()) {
    const since = d.c.lastInteractionAt ? daysBetween(now, d.c.lastInteractionAt) : null;
    if (d.c.isVip && !d.kinds.has('vip_quiet')) d.parts.push({ label: 'VIP', points: 10 });
    if (since !== null && since < JUST_TALKED_DAYS && !d.kinds.has('followup_overdue') && !d.kinds.has('followup_due')) {
      d.parts.push({ label: `you talked ${ago(since)}`, points: -30 });
    } else if (since !== null && since >= 60) {
      d.parts.push({ label: `${since} days since you last spoke`, points: Math.min(15, Math.floor(since / 30) * 3) });
    }
    const score = d.parts.reduce((s, p) => s + p.points, 0);
    if (score <= 0) continue;
    out.push({
      contactId: d.c.id,
      contactName: d.c.name,
      company: d.c.company,
      title: d.c.title,
      isVip: d.c.isVip,
      kinds: [...d.kinds],
      daysSinceContact: since,
      insights: d.insights,
      followUpId: d.followUpId,
      score,
      parts: d.parts,
      ...words(d, since, now),
    });
  }
  out.sort((a, b) => b.score - a.score || a.contactName.localeCompare(b.contactName) || a.contactId.localeCompare(b.contactId));
  return out.slice(0, limit);
}

/** The reason, the suggested action and a short opening message, from the strongest signal. */
function words(d: Draft, since: number | null, now: Date): Pick<Candidate, 'reason' | 'action' | 'draft'> {
  const name = d.c.name;
  const first = firstName(name);
  const spoke = lastSpoke(since);
  const insight = d.insights[0];
  if (d.kinds.has('followup_overdue')) {
    return {
      reason: `Your follow-up with ${first} is ${d.followUpDays} day${d.followUpDays === 1 ? '' : 's'} overdue; ${spoke}.`,
      action: 'Do the follow-up you planned, or move it to a day you will.',
      draft: `Hi ${first}, I meant to get back to you sooner. Do you have a few minutes this week to catch up?`,
    };
  }
  if (d.kinds.has('followup_due')) {
    return {
      reason: `You planned to follow up with ${first} today; ${spoke}.`,
      action: 'Do the follow-up you planned.',
      draft: `Hi ${first}, following up as promised. How are things going on your side?`,
    };
  }
  if (insight && insight.type !== 'active_again') {
    const when = ago(daysBetween(now, insight.createdAt));
    return {
      reason: `${insightPhrase(insight.title, name)} ${when}; ${spoke}.`,
      action: insight.type === 'new_release' ? 'Congratulate them on the release.' : insight.type === 'company_change' ? 'Congratulate them on the new role.' : 'Send a note about what they shipped.',
      draft:
        insight.type === 'new_release'
          ? `Hi ${first}, congrats on the new release! I saw it come out and wanted to say well done.`
          : insight.type === 'company_change'
            ? `Hi ${first}, congratulations on the new role! How are the first weeks going?`
            : `Hi ${first}, I saw what you have been working on lately and it looks great. How is it going?`,
    };
  }
  if (d.kinds.has('active_again')) {
    return {
      reason: `${first} is active on GitHub again after a quiet spell; ${spoke}.`,
      action: 'Say hello while they are active.',
      draft: `Hi ${first}, good to see you shipping again! What are you working on these days?`,
    };
  }
  if (d.kinds.has('cadence_lapsed')) {
    const every = d.c.keepInTouchDays ?? 0;
    return {
      reason: `You wanted to talk to ${first} every ${every} days; ${spoke}.`,
      action: 'Check in with a short message.',
      draft: `Hi ${first}, it has been a while! How have you been?`,
    };
  }
  if (d.kinds.has('vip_quiet')) {
    return {
      reason: `${first} is a VIP and ${spoke}.`,
      action: 'Send a short personal note.',
      draft: `Hi ${first}, I was thinking of you today. How are things? Would love to catch up soon.`,
    };
  }
  return {
    reason: `You added ${first} ${ago(daysBetween(now, d.c.createdAt))} and have not followed up yet.`,
    action: 'Follow up on your first meeting while it is fresh.',
    draft: `Hi ${first}, it was great meeting you. I would be glad to stay in touch. Coffee sometime soon?`,
  };
}
