import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../auth/user.entity';
import { Clock } from '../common/clock';
import { dayInZone } from '../common/time';
import { dayLabel } from './digest-mail';
import { DigestJobs } from './digest.jobs';
import { DigestService, DigestView } from './digest.service';
import { ModelClient } from './model-client';

const DAYS_PER_PAGE = 14;

/** View models of /digest and the dashboard card (no logic in the templates). */
@Injectable()
export class DigestPages {
  constructor(
    private readonly digest: DigestService,
    private readonly model: ModelClient,
    private readonly clock: Clock,
    private readonly jobs: DigestJobs,
  ) {}

  private decorate(view: DigestView) {
    const priorities = view.priorities.map((p, i) => ({
      ...p,
      rank: i + 1,
      isOpen: p.status === 'open',
      statusLabel: { open: '', done: 'You reached out', snoozed: 'Snoozed', dismissed: 'Dismissed' }[p.status],
      scoreText: p.parts.map((x) => `${x.label} ${x.points >= 0 ? '+' : ''}${x.points}`).join(', '),
    }));
    return {
      ...view,
      dayLabel: dayLabel(view.day),
      priorities,
      openCount: priorities.filter((p) => p.isOpen).length,
      byModel: view.engine === 'model',
    };
  }

  async viewModel(me: CurrentUser, day: string | null, page: number, job: string | null = null) {
    const today = dayInZone(this.clock.now(), me.timezone);
    const shownDay = day ?? today;
    const pageNo = Math.min(Math.max(1, page), 100_000);
    const [view, building, history] = await Promise.all([
      this.digest.forDay(me.id, shownDay),
      shownDay === today ? this.building(me, job) : Promise.resolve(false),
      this.digest.days(me.id, DAYS_PER_PAGE, (pageNo - 1) * DAYS_PER_PAGE),
    ]);
    const pages = Math.max(1, Math.ceil(history.total / DAYS_PER_PAGE));
    return {
      title: shownDay === today ? "Today's digest" : `Digest for ${dayLabel(shownDay)}`,
      nav: 'digest',
      isToday: shownDay === today,
      notFound: Boolean(day && day !== today && !view),
      digest: view ? this.decorate(view) : null,
      building: !view && building,
      modelConfigured: this.model.enabled,
      modelOff: this.model.enabled && !me.digestUseModel,
      history: history.items.map((h) => ({ ...h, label: dayLabel(h.day), current: h.day === shownDay, byModel: h.engine === 'model' })),
      historyTotal: history.total,
      prevLink: pageNo > 1 ? `/digest?${day ? `day=${day}&` : ''}page=${pageNo - 1}` : null,
      nextLink: pageNo < pages ? `/digest?${day ? `day=${day}&` : ''}page=${pageNo + 1}` : null,
    };
  }

  /** Today's build is under way: its job is queued or running, or a builder holds today's row. */
  private async building(me: CurrentUser, job: string | null): Promise<boolean> {
    if (job && (await this.jobs.pending(job, me.id))) return true;
    return this.digest.buildingToday(me.id, me.timezone);
  }

  /** The dashboard's "Latest digest" card. */
  async card(me: CurrentUser) {
    const view = await this.digest.latest(me.id);
    if (!view) return null;
    const d = this.decorate(view);
    return { ...d, top: d.priorities.filter((p) => p.isOpen).slice(0, 3), isToday: view.day === dayInZone(this.clock.now(), me.timezone) };
  }
}
