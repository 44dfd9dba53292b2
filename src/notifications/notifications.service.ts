import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { Notification } from './notification.entity';

/**
 * The kinds a user sets preferences for on /settings/account (in-app / e-mail / off each).
 * `type` of a notification is one of these.
 */
export const NOTIFICATION_KINDS = ['followup.due', 'digest', 'webhook.disabled', 'github.broken'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

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

/** In-app notifications (the bell in the top bar and /notifications). */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  async notify(userId: string, n: NewNotification, m?: EntityManager): Promise<void> {
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
  }

  list(userId: string, limit = 50, offset = 0) {
    return this.tx.manager.getRepository(Notification).findAndCount({ where: { userId }, order: { createdAt: 'DESC' }, take: limit, skip: offset });
  }

  unreadCount(userId: string): Promise<number> {
    return this.tx.manager.getRepository(Notification).count({ where: { userId, readAt: IsNull() } });
  }

  async markAllRead(userId: string): Promise<void> {
    await this.tx.run((m) => m.getRepository(Notification).update({ userId, readAt: IsNull() }, { readAt: this.clock.now() }));
  }
}
