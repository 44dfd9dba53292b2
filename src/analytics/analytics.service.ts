import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { renderChart, shortDay, type DayPoint } from './chart';
import { dayKey, dayRange } from './day-key';

export const RANGES = [30, 90] as const;
export type Range = (typeof RANGES)[number];

export interface AnalyticsPage {
  hasProfile: boolean;
  username?: string;
  isPublic?: boolean;
  range: Range;
  ranges: Array<{ days: number; active: boolean }>;
  totals?: { views: number; visitors: number; today: number; allTime: number; bestDay: string | null; bestDayViews: number };
  chartSvg?: string;
  days?: Array<DayPoint & { label: string }>;
  referrers?: Array<{ host: string; views: number; share: number; direct: boolean }>;
}

/**
 * The owner's view statistics. Everything is scoped by the owner's user id in the WHERE clause
 * (through their profile), and aggregated in SQL on the (profile_id, day) index.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  async overview(userId: string, timezone: string, range: Range): Promise<AnalyticsPage> {
    const m = this.tx.manager;
    const ranges = RANGES.map((days) => ({ days, active: days === range }));
    const [profile] = (await m
      .createQueryBuilder()
      .select(['p.id AS id', 'p.username AS username', 'p.view_count AS view_count', 'p.is_public AS is_public'])
      .from('public_profiles', 'p')
      .where('p.user_id = :userId', { userId })
      .getRawMany()) as Array<{ id: string; username: string; view_count: number | string; is_public: boolean | number }>;
    if (!profile) return { hasProfile: false, range, ranges };

    const today = dayKey(this.clock.now(), timezone);
    const days = dayRange(today, range);
    const from = days[0]!;
    const perDay = (await m
      .createQueryBuilder()
      .select(['v.day AS day', 'COUNT(*) AS views', 'COUNT(DISTINCT v.viewer_id) AS visitors'])
      .from('profile_views', 'v')
      .where('v.profile_id = :id AND v.day >= :from AND v.day <= :today', { id: profile.id, from, today })
      .groupBy('v.day')
      .getRawMany()) as Array<{ day: string; views: string | number; visitors: string | number }>;
    const byDay = new Map(perDay.map((r) => [r.day, { views: Number(r.views), visitors: Number(r.visitors) }]));
    const points: DayPoint[] = days.map((day) => ({ day, views: byDay.get(day)?.views ?? 0, visitors: byDay.get(day)?.visitors ?? 0 }));

    const refRows = (await m
      .createQueryBuilder()
      .select(['v.referrer AS host', 'COUNT(*) AS views'])
      .from('profile_views', 'v')
      .where('v.profile_id = :id AND v.day >= :from AND v.day <= :today', { id: profile.id, from, today })
      .groupBy('v.referrer')
      .orderBy('views', 'DESC')
      // the same order on both databases: named hosts before "direct" (NULL), then by name
      .addOrderBy('CASE WHEN v.referrer IS NULL THEN 1 ELSE 0 END', 'ASC')
      .addOrderBy('v.referrer', 'ASC')
      .limit(10)
      .getRawMany()) as Array<{ host: string | null; views: string | number }>;

    const views = points.reduce((s, p) => s + p.views, 0);
    const best = points.reduce<DayPoint | null>((b, p) => (p.views > 0 && (!b || p.views > b.views) ? p : b), null);
    return {
      hasProfile: true,
      username: profile.username,
      isPublic: Boolean(profile.is_public),
      range,
      ranges,
      totals: {
        views,
        // the visitor hash changes every day, so visitors are counted per day and added up
        visitors: points.reduce((s, p) => s + p.visitors, 0),
        today: points[points.length - 1]!.views,
        allTime: Number(profile.view_count),
        bestDay: best ? shortDay(best.day) : null,
        bestDayViews: best?.views ?? 0,
      },
      chartSvg: renderChart(points, `Views and unique visitors per day, last ${range} days`),
      days: points.map((p) => ({ ...p, label: shortDay(p.day) })).reverse(),
      referrers: refRows.map((r) => ({
        host: r.host ?? 'Direct or unknown',
        direct: !r.host,
        views: Number(r.views),
        share: views ? Math.round((Number(r.views) / views) * 100) : 0,
      })),
    };
  }
}
