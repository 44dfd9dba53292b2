import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { Notification } from './notification.entity';

export interface NewNotification {
  type: string;
  title: string;
  body?: string;
  link?: string | null;
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
