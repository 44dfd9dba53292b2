import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { CurrentUser } from '../auth/user.entity';

@Injectable()
export class DashboardService {
  constructor(private readonly clock: Clock) {}

  /** Greeting by the hour in the user's own time zone. */
  greeting(timezone: string): string {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: timezone }).format(this.clock.now()));
    if (hour < 5) return 'Good evening';
    if (hour < 12) return 'Good morning';
    if (hour < 18) return 'Good afternoon';
    return 'Good evening';
  }

  viewModel(me: CurrentUser) {
    const firstName = me.name.split(/\s+/)[0] || me.name;
    return {
      title: 'Dashboard',
      nav: 'dashboard',
      greeting: `${this.greeting(me.timezone)}, ${firstName}`,
      today: this.clock.now(),
    };
  }
}
