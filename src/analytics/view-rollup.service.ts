import { Injectable, OnModuleInit } from '@nestjs/common';
import { yieldToEventLoop } from '../common/event-loop';
import { TransactionService } from '../database/transaction.service';
import { JobsService } from '../jobs/jobs.service';
import { ProfileViewDay } from './profile-view-day.entity';

const DAY = 86_400_000;
/**
 * /analytics reads raw views of the last 90 days (its longest range); one more day covers the owner's
 * time zone, so the rolled-up rows never belong to a day /analytics still shows.
 */
export const RAW_VIEW_DAYS = 91;
const DAYS_PER_BATCH = 5;

/** cleanup-old-data step: raw profile views older than 90 days become daily counts, then go. */
@Injectable()
export class ViewRollupService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.registerCleanup('profileViews', (now) => this.rollUp(now));
  }

  /** Rolls up and deletes, a few days per transaction; returns the raw rows removed. */
  async rollUp(now: Date): Promise<number> {
    const before = new Date(now.getTime() - RAW_VIEW_DAYS * DAY);
    let removed = 0;
    for (;;) {
      const n = await this.tx.run(async (m) => {
        const days = (await m
          .createQueryBuilder()
          .select('DISTINCT v.day', 'day')
          .from('profile_views', 'v')
          .where('v.created_at < :before', { before })
          .orderBy('day', 'ASC')
          .limit(DAYS_PER_BATCH)
          .getRawMany()) as Array<{ day: string }>;
        if (!days.length) return 0;
        const list = days.map((d) => d.day);
        const groups = (await m
          .createQueryBuilder()
          .select(['v.profile_id AS profile_id', 'v.day AS day', 'COUNT(*) AS views', 'COUNT(DISTINCT v.viewer_id) AS visitors'])
          .from('profile_views', 'v')
          .where('v.created_at < :before AND v.day IN (:...list)', { before, list })
          .groupBy('v.profile_id')
          .addGroupBy('v.day')
          .getRawMany()) as Array<{ profile_id: string; day: string; views: string | number; visitors: string | number }>;
        const repo = m.getRepository(ProfileViewDay);
        for (const g of groups) {
          // adds to a day rolled up by an earlier run (a view that arrived late for that day)
          const prev = await repo.findOneBy({ profileId: g.profile_id, day: g.day });
          const row = { profileId: g.profile_id, day: g.day, views: Number(g.views) + (prev?.views ?? 0), visitors: Number(g.visitors) + (prev?.visitors ?? 0) };
          if (prev) await repo.update({ profileId: row.profileId, day: row.day }, { views: row.views, visitors: row.visitors });
          else await repo.insert(row);
        }
        const res = await m.createQueryBuilder().delete().from('profile_views').where('created_at < :before AND day IN (:...list)', { before, list }).execute();
        return res.affected ?? 0;
      });
      removed += n;
      if (!n) return removed;
      await yieldToEventLoop();
    }
  }
}
