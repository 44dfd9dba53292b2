import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, IsNull, LessThan } from 'typeorm';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { MailerService } from '../common/mail/mailer.service';
import { deleteInBatches } from '../database/batch-delete';
import { TransactionService } from '../database/transaction.service';
import { Notification } from './notification.entity';
import { NOTIFICATION_CHANNELS, NotificationChannel, NotificationPreference } from './notification-preference.entity';

/**
 * The kinds a user sets preferences for on /settings/account (in-app / e-mail / off each).
 * `type` of a notification is one of these.
 */
export const NOTIFICATION_KINDS = ['followup.due', 'digest', 'webhook.disabled', 'github.broken'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  'followup.due': 'Follow-ups due',
  digest: 'Daily digest',
  'webhook.disabled': 'Webhook endpoint turned off',
  'github.broken': 'GitHub connection broken',
};

/** Without a choice: e-mail (when the instance can send it) plus the bell. */
export const DEFAULT_CHANNEL: NotificationChannel = 'email';

export interface NewNotification {
  type: NotificationKind;
  title: string;
  body?: string;
  link?: string | null;
  /**
   * The e-mail to send when the user chose e-mail for this kind and SMTP_URL is set
   * (subject, plain text and HTML; the recipient is the user's address).
   */
  mail?: { subject: string; text: string; html?: string };
}

export interface NotifyResult {
  channel: NotificationChannel;
  /** An in-app notification was written. */
  inApp: boolean;
  /** An e-mail was sent (or, inside a caller's transaction, handed to the mailer). */
  mailed: boolean;
}

/**
 * Notifications (the bell in the top bar, /notifications and e-mail), by the user's preference per
 * kind: `in-app` writes a notification; `email` also sends `mail` when the mailer is enabled; `off`
 * does neither.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('Notifications');
  private mailFailing = false;

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly mailer: MailerService,
    private readonly users: UsersService,
  ) {}

  /**
   * Inside a caller's unit of work (`m`), the e-mail is sent after this call returns, in the
   * background: a mail never holds a transaction open.
   */
  async notify(userId: string, n: NewNotification, m?: EntityManager): Promise<NotifyResult> {
    const channel = await this.channel(userId, n.type, m);
    if (channel === 'off') return { channel, inApp: false, mailed: false };
    const write = (mm: EntityManager) =>
      mm.getRepository(Notification).insert({
        id: randomUUID(),
        userId,
        type: n.type,
        title: n.title.slice(0, 200),
        body: (n.body ?? '').slice(0, 1000),
        link: n.link ?? null,
        readAt: null,
        createdAt: this.clock.now(),
      });
    await (m ? write(m) : this.tx.run(write));
    if (channel !== 'email' || !n.mail || !this.mailer.enabled) return { channel, inApp: true, mailed: false };
    const mail = n.mail;
    if (m) {
      setImmediate(() => void this.mailTo(userId, mail));
      return { channel, inApp: true, mailed: true };
    }
    return { channel, inApp: true, mailed: await this.mailTo(userId, mail) };
  }

  /** Sends `mail` to the user's address; false (logged once per outage) when it fails. */
  private async mailTo(userId: string, mail: NonNullable<NewNotification['mail']>): Promise<boolean> {
    const user = await this.users.findById(userId);
    if (!user) return false;
    try {
      await this.mailer.send({ to: user.email, ...mail });
      this.mailFailing = false;
      return true;
    } catch (err) {
      if (!this.mailFailing) this.logger.warn(`notification mail failed: ${err instanceof Error ? err.message : String(err)}`);
      this.mailFailing = true;
      return false;
    }
  }

  get mailEnabled(): boolean {
    return this.mailer.enabled;
  }

  async channel(userId: string, kind: NotificationKind, m: EntityManager = this.tx.manager): Promise<NotificationChannel> {
    const row = await m.getRepository(NotificationPreference).findOneBy({ userId, kind });
    return row?.channel ?? DEFAULT_CHANNEL;
  }

  /** Every kind with the user's channel, for the form on /settings/account. */
  async preferences(userId: string): Promise<Array<{ kind: NotificationKind; label: string; channel: NotificationChannel }>> {
    const rows = await this.tx.manager.getRepository(NotificationPreference).findBy({ userId });
    return NOTIFICATION_KINDS.map((kind) => ({ kind, label: NOTIFICATION_KIND_LABELS[kind], channel: rows.find((r) => r.kind === kind)?.channel ?? DEFAULT_CHANNEL }));
  }

  /** Saves the channels given per kind (unknown kinds or channels are refused). */
  async setPreferences(userId: string, choices: Record<string, unknown>): Promise<void> {
    const rows: NotificationPreference[] = [];
    for (const kind of NOTIFICATION_KINDS) {
      const channel = choices[kind];
      if (channel === undefined) continue;
      if (typeof channel !== 'string' || !(NOTIFICATION_CHANNELS as string[]).includes(channel)) throw new Error(`bad channel for ${kind}`);
      rows.push(Object.assign(new NotificationPreference(), { userId, kind, channel }));
    }
    await this.tx.run(async (m) => {
      for (const row of rows) await m.getRepository(NotificationPreference).upsert(row, ['userId', 'kind']);
    });
  }

  list(userId: string, limit = 50, offset = 0) {
    return this.tx.manager.getRepository(Notification).findAndCount({ where: { userId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
  }

  unreadCount(userId: string): Promise<number> {
    return this.tx.manager.getRepository(Notification).count({ where: { userId, readAt: IsNull() } });
  }

  async markAllRead(userId: string): Promise<void> {
    await this.tx.run((m) => m.getRepository(Notification).update({ userId, readAt: IsNull() }, { readAt: this.clock.now() }));
  }

  /** False when there is no such notification of this user (a 404). */
  async markRead(userId: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    return this.tx.run(async (m) => {
      const row = await m.getRepository(Notification).findOneBy({ id, userId });
      if (!row) return false;
      if (!row.readAt) await m.getRepository(Notification).update({ id, userId }, { readAt: this.clock.now() });
      return true;
    });
  }

  /** Read notifications older than `before`, in batches (cleanup-old-data). */
  async purgeRead(before: Date): Promise<number> {
    return deleteInBatches(this.tx, Notification, { readAt: LessThan(before) });
  }
}
