import { Injectable } from '@nestjs/common';
import { ContactsService } from '../contacts/contacts.service';
import { INSIGHT_TYPES, InsightType } from './github.entity';
import { GithubSyncService } from './github-sync.service';
import { InsightsService, InsightView } from './insights.service';
import { topRepos } from './snapshot';

export const INSIGHT_LABELS: Record<InsightType, string> = {
  new_repo: 'New repository',
  new_release: 'New release',
  star_milestone: 'Star milestone',
  company_change: 'Company change',
  bio_change: 'Bio change',
  location_change: 'Location change',
  followers_milestone: 'Followers milestone',
  active_again: 'Active again',
};

const PER_PAGE = 25;

/** View models of the GitHub pages and cards (/insights, /settings/github, the contact card, the dashboard card). */
@Injectable()
export class GithubPagesService {
  constructor(
    private readonly insights: InsightsService,
    private readonly sync: GithubSyncService,
    private readonly contacts: ContactsService,
  ) {}

  private async withNames(userId: string, items: InsightView[]) {
    const names = await this.contacts.namesOf(userId, items.map((i) => i.contactId));
    return items.map((i) => ({ ...i, label: INSIGHT_LABELS[i.type], contactName: names.get(i.contactId) ?? 'A contact' }));
  }

  async insightsPage(userId: string, q: { type?: string; contact?: string; show?: string; page?: string }) {
    const type = InsightsService.isType(q.type) ? q.type : undefined;
    const contactId = q.contact && /^[0-9a-f-]{36}$/i.test(q.contact) ? q.contact : undefined;
    const show = q.show === 'all' ? 'all' : 'new';
    const page = Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1);
    const { items, total } = await this.insights.list(userId, { type, contactId, acknowledged: show === 'all' ? undefined : false, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    const link = (over: Record<string, string | number | undefined>) => {
      const p = new URLSearchParams();
      const v = { type, contact: contactId, show: show === 'all' ? 'all' : undefined, page: undefined as number | undefined, ...over };
      for (const [k, val] of Object.entries(v)) if (val !== undefined && val !== '') p.set(k, String(val));
      const s = p.toString();
      return `/insights${s ? `?${s}` : ''}`;
    };
    const contactName = contactId ? (await this.contacts.namesOf(userId, [contactId])).get(contactId) : undefined;
    const status = await this.sync.status(userId);
    const none = total === 0 && !type && !contactId && (show === 'all' || (await this.insights.list(userId, { limit: 1, offset: 0 })).total === 0);
    return {
      title: 'Insights',
      none,
      nav: 'insights',
      items: await this.withNames(userId, items),
      total,
      page,
      show,
      filtered: Boolean(type || contactId),
      types: INSIGHT_TYPES.map((t) => ({ value: t, label: INSIGHT_LABELS[t], selected: t === type })),
      contactId,
      contactName,
      showLinks: { new: link({ show: undefined }), all: link({ show: 'all' }) },
      clearLink: link({ type: undefined, contact: undefined }),
      returnTo: link({ page: page > 1 ? page : undefined }),
      prevLink: page > 1 ? link({ page: page - 1 }) : null,
      nextLink: page * PER_PAGE < total ? link({ page: page + 1 }) : null,
      connected: status.connected,
    };
  }

  async dashboardCard(userId: string) {
    const { items, total } = await this.insights.list(userId, { acknowledged: false, limit: 5, offset: 0 });
    return { items: await this.withNames(userId, items), total };
  }

  /** The contact page's GitHub card; null when the contact has no GitHub username. */
  async contactCard(userId: string, contactId: string) {
    const contact = await this.contacts.get(userId, contactId);
    if (!contact.githubUsername) return null;
    const [profile, insights] = await Promise.all([this.sync.profileOf(userId, contactId), this.insights.list(userId, { contactId, limit: 5, offset: 0 })]);
    const s = profile?.snapshot;
    return {
      login: contact.githubUsername,
      notFound: profile?.status === 'not_found',
      synced: Boolean(profile?.syncedAt),
      syncedAt: profile?.syncedAt ?? null,
      user: s?.user ?? null,
      profileUrl: s?.user.htmlUrl ?? `https://github.com/${encodeURIComponent(contact.githubUsername)}`,
      topRepos: s ? topRepos(s.repos) : [],
      lastActiveAt: s?.lastEventAt ?? null,
      activityScore: contact.activityScore,
      social: s?.social ?? [],
      insights: insights.items.map((i) => ({ ...i, label: INSIGHT_LABELS[i.type] })),
      insightsTotal: insights.total,
    };
  }

  async settingsPage(userId: string, githubLogin: string | null, oauthEnabled: boolean) {
    const status = await this.sync.status(userId);
    return {
      title: 'GitHub',
      nav: 'github',
      githubLogin,
      oauthEnabled,
      ...status,
      rateUsedPercent: status.rate ? Math.round(((status.rate.limit - status.rate.remaining) / Math.max(1, status.rate.limit)) * 100) : null,
    };
  }
}
