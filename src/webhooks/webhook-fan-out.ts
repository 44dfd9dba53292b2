import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { OutboxEvent } from '../outbox/outbox-event.entity';
import { WebhookDelivery, WebhookEndpoint } from './webhook.entity';
import { subscribes } from './webhooks.service';

/**
 * Outbox → deliveries: one delivery per event and subscribed endpoint, in the transaction that marks
 * the events dispatched. An endpoint that is turned off gets its deliveries as `skipped` (not sent,
 * not lost): when the user turns it back on, the page offers to send the events it missed.
 */
@Injectable()
export class WebhookFanOut {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  async run(batch: number): Promise<number> {
    return this.tx.run(async (m) => {
      const isPostgres = m.connection.options.type === 'postgres';
      // several instances on PostgreSQL: each event is fanned out by exactly one of them
      const events = await m.getRepository(OutboxEvent).find({
        where: { dispatchedAt: IsNull() },
        order: { createdAt: 'ASC' },
        take: batch,
        ...(isPostgres ? { lock: { mode: 'pessimistic_write' as const, onLocked: 'skip_locked' as const } } : {}),
      });
      if (!events.length) return 0;
      const userIds = [...new Set(events.map((e) => e.userId))];
      const endpoints = await m.getRepository(WebhookEndpoint).find({ where: { userId: In(userIds) } });
      const now = this.clock.now();
      const rows: Partial<WebhookDelivery>[] = [];
      for (const event of events) {
        const mine = endpoints.filter((ep) => ep.userId === event.userId && subscribes(ep.eventTypes, event.type));
        if (!mine.length) continue;
        const body = JSON.stringify({ type: event.type, timestamp: new Date(event.createdAt).toISOString(), data: JSON.parse(event.payload) });
        for (const ep of mine) {
          rows.push({
            id: randomUUID(),
            endpointId: ep.id,
            userId: ep.userId,
            messageId: `msg_${event.id.replace(/-/g, '')}`,
            eventType: event.type,
            payload: body,
            status: ep.enabled ? 'pending' : 'skipped',
            attempts: 0,
            nextAttemptAt: ep.enabled ? now : null,
            lockedUntil: null,
            lastStatusCode: null,
            lastError: ep.enabled ? null : 'Endpoint is turned off',
            createdAt: now,
            updatedAt: now,
          });
        }
      }
      for (let i = 0; i < rows.length; i += 200) {
        await m.createQueryBuilder().insert().into(WebhookDelivery).values(rows.slice(i, i + 200)).updateEntity(false).execute();
      }
      await m.getRepository(OutboxEvent).update({ id: In(events.map((e) => e.id)) }, { dispatchedAt: now });
      return events.length;
    });
  }
}
