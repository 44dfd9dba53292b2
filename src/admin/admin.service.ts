import { randomUUID } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DatabaseSessionStore } from '../auth/session.store';
import { Plan, PLANS } from '../auth/user.entity';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { FormError } from '../common/forms/validate-form';
import { TransactionService } from '../database/transaction.service';
import { JobsService } from '../jobs/jobs.service';
import { PlanChange } from './plan-change.entity';

export interface AdminUserRow {
  id: string;
  name: string;
  email: string;
  plan: Plan;
  isAdmin: boolean;
  disabled: boolean;
  signupSource: string | null;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const isId = (id: string) => /^[0-9a-f-]{36}$/i.test(id);

/** The admin's actions on users and jobs; every change is the admin's, checked by AdminGuard. */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: DatabaseSessionStore,
    private readonly jobs: JobsService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  async listUsers(q: string, limit: number, offset: number): Promise<{ rows: AdminUserRow[]; total: number }> {
    const [users, total] = await this.users.search(q, limit, offset);
    return {
      total,
      rows: users.map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        plan: u.plan,
        isAdmin: u.isAdmin,
        disabled: Boolean(u.disabledAt),
        signupSource: u.signupSource,
        createdAt: u.createdAt,
        lastLoginAt: u.lastLoginAt,
      })),
    };
  }

  private async user(id: string) {
    const u = isId(id) ? await this.users.findById(id) : null;
    if (!u) throw new NotFoundException();
    return u;
  }

  /** Sets the plan and logs the change with its reason, in one transaction. */
  async changePlan(adminId: string, userId: string, plan: string, reason: string): Promise<void> {
    const u = await this.user(userId);
    const errors: Record<string, string> = {};
    if (!(PLANS as string[]).includes(plan)) errors.plan = 'Choose free, pro or premium.';
    const why = (reason ?? '').trim();
    if (!why) errors.reason = 'Say why the plan changes (it goes into the plan-change log).';
    else if (why.length > 500) errors.reason = 'At most 500 characters.';
    if (Object.keys(errors).length) throw new FormError(errors);
    if (u.plan === plan) return;
    await this.tx.run(async (m) => {
      await this.users.setPlan(userId, plan as Plan);
      await m.getRepository(PlanChange).insert({ id: randomUUID(), userId, fromPlan: u.plan, toPlan: plan, reason: why, changedBy: adminId, createdAt: this.clock.now() });
    });
  }

  /** Disabling ends the user's sessions at once; their API keys stop authenticating. */
  async setDisabled(adminId: string, userId: string, disabled: boolean): Promise<void> {
    if (userId === adminId && disabled) throw new FormError({ user: 'You cannot disable your own account.' });
    await this.user(userId);
    await this.tx.run(async () => {
      await this.users.setDisabled(userId, disabled ? this.clock.now() : null);
      if (disabled) await this.sessions.destroyUserSessions(userId);
    });
  }

  async makeAdmin(userId: string): Promise<void> {
    await this.user(userId);
    await this.users.setAdmin(userId, true);
  }

  // ---- jobs

  async jobsOverview() {
    const defs = this.jobs.definitions().sort((a, b) => a.name.localeCompare(b.name));
    const runs = await Promise.all(defs.map((d) => this.jobs.recentRuns(10, d.name)));
    return {
      engine: this.jobs.engineKind,
      jobs: defs.map((d, i) => ({
        name: d.name,
        queue: d.queue,
        schedule: d.schedule ? ('cron' in d.schedule ? d.schedule.cron : `every ${d.schedule.everyMs / 1000} s`) : 'on demand',
        last: runs[i]![0] ?? null,
        runs: runs[i]!.map((r) => ({
          ...r,
          durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
          countsText: Object.entries(r.counts ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        })),
      })),
      depth: await this.jobs.queueDepth(),
      failed: await this.jobs.failedJobs(20),
    };
  }

  async runNow(name: string): Promise<string> {
    if (!this.jobs.definitions().some((d) => d.name === name)) throw new NotFoundException();
    return (await this.jobs.enqueue(name, null, { dedupeKey: 'admin-run-now' })).id;
  }

  async retry(id: string): Promise<boolean> {
    return this.jobs.retryFailed(id);
  }
}
