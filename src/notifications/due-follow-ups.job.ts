import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { MailerService } from '../common/mail/mailer.service';
import { formatInZone } from '../common/views/view-helpers';
import { escapeMarkup } from '../common/views/escape';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { FollowUpsService } from '../contacts/follow-ups.service';
import { TransactionService } from '../database/transaction.service';
import { yieldToEventLoop } from '../common/event-loop';
import type { JobCounts } from '../jobs/job-api';
import { JobsService } from '../jobs/jobs.service';
import { NotificationsService } from './notifications.service';

// small enough that one batch (a transaction of ~1,000 statements on SQLite) keeps the web process answering
const BATCH = 250;

interface DueItem {
  id: string;
  contactId: string;
  contactName: string;
  dueAt: string;
  note: string;
}

/**
 * send-notifications, every minute: each follow-up that has fallen due is announced once — a
 * `followup.due` event (webhooks) and an in-app notification, written in the same transaction that
 * marks it announced — and each user who chose e-mail gets one mail per run listing all of theirs.
 */
@Injectable()
export class DueFollowUpsJob implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly followUps: FollowUpsService,
    private readonly notifications: NotificationsService,
    private readonly users: UsersService,
    private readonly mailer: MailerService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'send-notifications',
      queue: 'devhub-notifications',
      schedule: { cron: '* * * * *' },
      timeoutMs: 10 * 60_000,
      handler: (ctx) => this.run(this.clock.now(), (c) => ctx.progress(c)),
    });
    this.jobs.registerCleanup('readNotifications', (now) => this.notifications.purgeRead(new Date(now.getTime() - 90 * 86_400_000)));
  }

  /** Announces what is due at `now`; the counts of the run. */
  async run(now: Date, progress?: (c: JobCounts) => Promise<void>): Promise<JobCounts> {
    const forMail = new Map<string, DueItem[]>();
    const counts: JobCounts = { followUps: 0, users: 0, notifications: 0, mails: 0, mailFailures: 0 };
    for (;;) {
      const claimed = await this.tx.run(async (m) => {
        const rows = await this.followUps.claimDue(m, now, BATCH);
        const byUser = new Map<string, DueItem[]>();
        for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), { id: r.id, contactId: r.contactId, contactName: r.contactName, dueAt: r.dueAt, note: r.note }]);
        for (const [userId, items] of byUser) {
          // the mail is sent once per run below, so notify() writes only the in-app part here
          const res = await this.notifications.notify(userId, { type: 'followup.due', ...this.summary(items), link: '/follow-ups' }, m);
          if (res.inApp) counts.notifications++;
          if (res.channel === 'email') forMail.set(userId, [...(forMail.get(userId) ?? []), ...items]);
        }
        return rows.length;
      });
      counts.followUps += claimed;
      await progress?.(counts);
      if (claimed < BATCH) break;
      await yieldToEventLoop();
    }
    counts.users = forMail.size;
    if (this.mailer.enabled) {
      for (const [userId, items] of forMail) {
        const user = await this.users.findById(userId);
        if (!user) continue;
        try {
          await this.mailer.send({ to: user.email, ...this.mail(items, user.name, user.timezone) });
          counts.mails++;
        } catch {
          counts.mailFailures++;
        }
      }
    }
    return counts;
  }

  private summary(items: DueItem[]): { title: string; body: string } {
    const names = items.map((i) => i.contactName);
    const title = items.length === 1 ? `Follow up with ${names[0]}` : `${items.length} follow-ups are due`;
    const body = items.length === 1 ? items[0]!.note : names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');
    return { title, body };
  }

  /** One mail listing every follow-up of the run, times in the user's zone; plain text and HTML. */
  mail(items: DueItem[], name: string, timezone: string): { subject: string; text: string; html: string } {
    const base = this.config.baseUrl;
    const subject = items.length === 1 ? `Follow up with ${items[0]!.contactName}` : `${items.length} follow-ups are due`;
    const lines = items.map((i) => `- ${i.contactName}, due ${formatInZone(i.dueAt, timezone)}${i.note ? `: ${i.note}` : ''}\n  ${base}/contacts/${i.contactId}`);
    const text = `Hi ${name},\n\nThese follow-ups are due (times in ${timezone}):\n\n${lines.join('\n')}\n\nAll of them: ${base}/follow-ups\nChange what DevHub mails you: ${base}/settings/account#notifications\n`;
    const li = items
      .map(
        (i) =>
          `<li><a href="${escapeMarkup(`${base}/contacts/${i.contactId}`)}">${escapeMarkup(i.contactName)}</a>, due ${escapeMarkup(formatInZone(i.dueAt, timezone))}${i.note ? `: ${escapeMarkup(i.note)}` : ''}</li>`,
      )
      .join('');
    const html = `<p>Hi ${escapeMarkup(name)},</p><p>These follow-ups are due (times in ${escapeMarkup(timezone)}):</p><ul>${li}</ul><p><a href="${escapeMarkup(`${base}/follow-ups`)}">All follow-ups</a> · <a href="${escapeMarkup(`${base}/settings/account#notifications`)}">Notification settings</a></p>`;
    return { subject, text, html };
  }
}
