import { Injectable } from '@nestjs/common';
import { DigestPages } from '../agent/digest-pages';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { Clock } from '../common/clock';
import type { CurrentUser } from '../auth/user.entity';
import { UsersService } from '../auth/users.service';
import { ContactsService } from '../contacts/contacts.service';
import { FollowUpsService } from '../contacts/follow-ups.service';
import { GithubPagesService } from '../github/github-pages.service';
import { ProfilesService } from '../profiles/profiles.service';

/** How many rows "Today" shows before linking to the follow-ups page. */
const TODAY_LIMIT = 12;

export interface ChecklistStep {
  key: string;
  label: string;
  href: string;
  done: boolean;
  /** a second link (the import page for "add or import contacts") */
  alt?: { label: string; href: string };
}

@Injectable()
export class DashboardService {
  constructor(
    private readonly clock: Clock,
    private readonly contacts: ContactsService,
    private readonly followUps: FollowUpsService,
    private readonly users: UsersService,
    private readonly profiles: ProfilesService,
    private readonly apiKeys: ApiKeysService,
    private readonly github: GithubPagesService,
    private readonly digestPages: DigestPages,
  ) {}

  /** Greeting by the hour in the user's own time zone. */
  greeting(timezone: string): string {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: timezone }).format(this.clock.now()));
    if (hour < 5) return 'Good evening';
    if (hour < 12) return 'Good morning';
    if (hour < 18) return 'Good afternoon';
    return 'Good evening';
  }

  /** The new-account setup steps, each ticked from the data it is about. */
  async checklist(me: CurrentUser, contactCount: number): Promise<{ steps: ChecklistStep[]; done: number; total: number; complete: boolean; percent: number }> {
    const [user, published, keys] = await Promise.all([this.users.findById(me.id), this.profiles.isPublished(me.id), this.apiKeys.list(me.id)]);
    const steps: ChecklistStep[] = [
      { key: 'contacts', label: 'Add your first contacts', href: '/contacts/new', done: contactCount > 0, alt: { label: 'import them from a file', href: '/settings/account/import' } },
      { key: 'timezone', label: 'Set your time zone', href: '/settings/account#timezone', done: Boolean(user?.timezoneChosenAt) },
      { key: 'profile', label: 'Publish your public profile', href: '/settings/profile', done: published },
      { key: 'github', label: 'Connect GitHub', href: '/settings/github', done: Boolean(user?.githubId) },
      { key: 'api-key', label: 'Create an API key', href: '/settings/api-keys', done: keys.length > 0 },
    ];
    const done = steps.filter((s) => s.done).length;
    return { steps, done, total: steps.length, complete: done === steps.length, percent: Math.round((done / steps.length) * 100) };
  }

  async viewModel(me: CurrentUser) {
    const firstName = me.name.split(/\s+/)[0] || me.name;
    const [today, recent, contactCount, openFollowUps, newInsights, latestDigest] = await Promise.all([
      this.followUps.today(me.id, me.timezone, TODAY_LIMIT),
      this.contacts.recent(me.id, 5),
      this.contacts.count(me.id),
      this.followUps.countOpen(me.id),
      this.github.dashboardCard(me.id),
      this.digestPages.card(me),
    ]);
    const checklist = await this.checklist(me, contactCount);
    return {
      title: 'Today',
      nav: 'dashboard',
      greeting: `${this.greeting(me.timezone)}, ${firstName}`,
      today: this.clock.now(),
      needs: today.items.map((i) => ({ ...i, isOverdue: i.kind === 'overdue', isLapsed: i.kind === 'lapsed', isToday: i.kind === 'today' })),
      needsTotal: today.total,
      needsMore: today.total > today.items.length,
      recent,
      counts: { contacts: contactCount, openFollowUps, needsToday: today.total, overdue: today.overdue, dueToday: today.total - today.overdue },
      checklist,
      isEmpty: contactCount === 0,
      newInsights,
      latestDigest,
    };
  }
}
