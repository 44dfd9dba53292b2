import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { TransactionService } from '../database/transaction.service';
import { PLANS } from '../auth/user.entity';

const DAY = 86_400_000;
const PAID = ['pro', 'premium'];

export interface BusinessMetrics {
  totalUsers: number;
  signupWeeks: Array<{ week: string; total: number; bySource: Array<{ source: string; count: number }> }>;
  sources: string[];
  active7: number;
  active30: number;
  adoption: Array<{ feature: string; users: number | null; share: number | null; note?: string }>;
  planMix: Array<{ plan: string; users: number; share: number }>;
  conversions: { freeToPaid: number; paidToFree: number; upgradedUsers: number; conversionRate: number; churnRate: number };
  months: Array<{ month: string; conversions: number; churns: number }>;
  revenue: { proUsers: number; premiumUsers: number; pricePro: number; pricePremium: number; mrr: number; arr: number };
}

/** Monday 00:00 UTC of the week `d` falls in, as YYYY-MM-DD. */
export function weekStart(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().slice(0, 10);
}

const pct = (n: number, of: number) => (of ? Math.round((n / of) * 1000) / 10 : 0);

/**
 * The admin's business figures, computed in SQL from the tables other features own (read-only
 * counts) and the plan-change log. Sign-ups per week are the last 12 ISO weeks (UTC).
 */
@Injectable()
export class AdminMetricsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async count(sql: (qb: ReturnType<TransactionService['manager']['createQueryBuilder']>) => unknown): Promise<number> {
    const qb = this.tx.manager.createQueryBuilder();
    sql(qb);
    const row = (await qb.getRawOne()) as { n: string | number } | undefined;
    return Number(row?.n ?? 0);
  }

  private async hasColumn(table: string, column?: string): Promise<boolean> {
    const qr = this.tx.manager.connection.createQueryRunner();
    try {
      if (!(await qr.hasTable(table))) return false;
      return column ? await qr.hasColumn(table, column) : true;
    } finally {
      await qr.release();
    }
  }

  async overview(): Promise<BusinessMetrics> {
    const now = this.clock.now();
    const m = this.tx.manager;
    const totalUsers = await this.count((qb) => qb.select('COUNT(*)', 'n').from('users', 'u'));

    // sign-ups per week by source, last 12 weeks
    const firstWeek = weekStart(new Date(now.getTime() - 11 * 7 * DAY));
    const signups = (await m
      .createQueryBuilder()
      .select(['u.created_at AS created_at', 'u.signup_source AS source'])
      .from('users', 'u')
      .where('u.created_at >= :since', { since: new Date(`${firstWeek}T00:00:00Z`) })
      .getRawMany()) as Array<{ created_at: string | Date; source: string | null }>;
    const weeks = Array.from({ length: 12 }, (_, i) => weekStart(new Date(new Date(`${firstWeek}T00:00:00Z`).getTime() + i * 7 * DAY)));
    const sources = [...new Set(signups.map((s) => s.source || 'direct'))].sort();
    const signupWeeks = weeks.map((week) => {
      const inWeek = signups.filter((s) => weekStart(toDate(s.created_at)) === week);
      return { week, total: inWeek.length, bySource: sources.map((source) => ({ source, count: inWeek.filter((s) => (s.source || 'direct') === source).length })) };
    });

    const active = (days: number) =>
      this.count((qb) =>
        qb
          .select('COUNT(*)', 'n')
          .from('users', 'u')
          .where('u.disabled_at IS NULL')
          .andWhere('(u.last_login_at >= :since OR EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id AND k.last_used_at >= :since))', {
            since: new Date(now.getTime() - days * DAY),
          }),
      );
    const [active7, active30] = [await active(7), await active(30)];

    const since30 = new Date(now.getTime() - 30 * DAY);
    const adoption: BusinessMetrics['adoption'] = [];
    const feature = (name: string, users: number | null, note?: string) => adoption.push({ feature: name, users, share: users === null ? null : pct(users, totalUsers), note });
    feature('API key used in the last 30 days', await this.count((qb) => qb.select('COUNT(DISTINCT k.user_id)', 'n').from('api_keys', 'k').where('k.last_used_at >= :s', { s: since30 })));
    feature('CLI keys ("cli: …")', await this.count((qb) => qb.select('COUNT(DISTINCT k.user_id)', 'n').from('api_keys', 'k').where("k.name LIKE 'cli: %' AND k.revoked_at IS NULL")));
    feature('Public profile', await this.count((qb) => qb.select('COUNT(*)', 'n').from('public_profiles', 'p').where('p.is_public = :t', { t: true })));
    if (await this.hasColumn('agent_reports', 'viewed_at')) {
      feature('Digest viewed', await this.count((qb) => qb.select('COUNT(DISTINCT r.user_id)', 'n').from('agent_reports', 'r').where('r.viewed_at IS NOT NULL')));
    } else {
      feature('Digest viewed', null, 'not tracked on this version');
    }
    feature('Webhook endpoint', await this.count((qb) => qb.select('COUNT(DISTINCT w.user_id)', 'n').from('webhook_endpoints', 'w')));
    feature('GitHub connected', await this.count((qb) => qb.select('COUNT(*)', 'n').from('users', 'u').where('u.github_id IS NOT NULL')));

    const mix = (await m.createQueryBuilder().select(['u.plan AS plan', 'COUNT(*) AS n']).from('users', 'u').where('u.disabled_at IS NULL').groupBy('u.plan').getRawMany()) as Array<{
      plan: string;
      n: string | number;
    }>;
    const activeUsers = mix.reduce((s, r) => s + Number(r.n), 0);
    const planMix = PLANS.map((plan) => {
      const users = Number(mix.find((r) => r.plan === plan)?.n ?? 0);
      return { plan, users, share: pct(users, activeUsers) };
    });

    const changes = (await m
      .createQueryBuilder()
      .select(['c.user_id AS user_id', 'c.from_plan AS from_plan', 'c.to_plan AS to_plan', 'c.created_at AS created_at'])
      .from('plan_changes', 'c')
      .orderBy('c.created_at', 'ASC')
      .getRawMany()) as Array<{ user_id: string; from_plan: string; to_plan: string; created_at: string | Date }>;
    const isConversion = (c: (typeof changes)[number]) => c.from_plan === 'free' && PAID.includes(c.to_plan);
    const isChurn = (c: (typeof changes)[number]) => PAID.includes(c.from_plan) && c.to_plan === 'free';
    const freeToPaid = changes.filter(isConversion).length;
    const paidToFree = changes.filter(isChurn).length;
    const upgradedUsers = new Set(changes.filter(isConversion).map((c) => c.user_id)).size;
    const months = Array.from({ length: 6 }, (_, i) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5 + i, 1));
      return d.toISOString().slice(0, 7);
    }).map((month) => ({
      month,
      conversions: changes.filter((c) => isConversion(c) && toDate(c.created_at).toISOString().startsWith(month)).length,
      churns: changes.filter((c) => isChurn(c) && toDate(c.created_at).toISOString().startsWith(month)).length,
    }));

    const proUsers = planMix.find((p) => p.plan === 'pro')!.users;
    const premiumUsers = planMix.find((p) => p.plan === 'premium')!.users;
    const mrr = Math.round((proUsers * this.config.planPricePro + premiumUsers * this.config.planPricePremium) * 100) / 100;
    return {
      totalUsers,
      signupWeeks,
      sources,
      active7,
      active30,
      adoption,
      planMix,
      conversions: { freeToPaid, paidToFree, upgradedUsers, conversionRate: pct(upgradedUsers, totalUsers), churnRate: pct(paidToFree, freeToPaid) },
      months,
      revenue: { proUsers, premiumUsers, pricePro: this.config.planPricePro, pricePremium: this.config.planPricePremium, mrr, arr: Math.round(mrr * 12 * 100) / 100 },
    };
  }
}

/** SQLite returns UTC text without a zone; PostgreSQL a Date. */
function toDate(v: string | Date): Date {
  if (v instanceof Date) return v;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
}
