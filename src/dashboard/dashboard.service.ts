import { Injectable } from '@nestjs/common';
import { DigestPages } from '../agent/digest-pages';
import { Clock } from '../common/clock';
import type { CurrentUser } from '../auth/user.entity';
import { ContactsService } from '../contacts/contacts.service';
import { FollowUpsService } from '../contacts/follow-ups.service';
import { GithubPagesService } from '../github/github-pages.service';

@Injectable()
export class DashboardService {
  constructor(
    private readonly clock: Clock,
    private readonly contacts: ContactsService,
    private readonly followUps: FollowUpsService,
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

  async viewModel(me: CurrentUser) {
    const firstName = me.name.split(/\s+/)[0] || me.name;
    const [overdue, today, losingTouch, recent, contactCount, openFollowUps, newInsights, latestDigest] = await Promise.all([
      this.followUps.section(me.id, 'overdue', me.timezone, 10),
      this.followUps.section(me.id, 'today', me.timezone, 10),
      this.followUps.losingTouch(me.id, 8),
      this.contacts.recent(me.id, 5),
      this.contacts.count(me.id),
      this.followUps.countOpen(me.id),
      this.github.dashboardCard(me.id),
      this.digestPages.card(me),
    ]);
    return {
      title: 'Dashboard',
      nav: 'dashboard',
      greeting: `${this.greeting(me.timezone)}, ${firstName}`,
      today: this.clock.now(),
      due: [...overdue.items.map((i) => ({ ...i, overdue: true })), ...today.items],
      dueCount: overdue.total + today.total,
      overdueCount: overdue.total,
      losingTouch,
      recent,
      counts: { contacts: contactCount, openFollowUps, dueToday: today.total, overdue: overdue.total },
      isEmpty: contactCount === 0,
      newInsights,
      latestDigest,
    };
  }
}
