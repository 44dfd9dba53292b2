import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { OutboxEvent } from './outbox-event.entity';

export const EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'interaction.created',
  'followup.created',
  'followup.due',
  'followup.completed',
  'insight.created',
  'digest.created',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Records events that leave the process (webhooks, notifications). Always called with the
 * EntityManager of the transaction that makes the change, so the event commits or rolls back with it.
 */
@Injectable()
export class OutboxService {
  private last = 0;

  constructor(private readonly clock: Clock) {}

  /** Strictly increasing within this process, so two events of one change never tie. */
  private stamp(): Date {
    this.last = Math.max(this.clock.now().getTime(), this.last + 1);
    return new Date(this.last);
  }

  async record(m: EntityManager, userId: string, type: EventType, data: unknown): Promise<void> {
    await this.recordMany(m, userId, type, [data]);
  }

  /** One event per item, in order, with one INSERT (bulk changes such as an import). */
  async recordMany(m: EntityManager, userId: string, type: EventType, items: unknown[]): Promise<void> {
    if (!items.length) return;
    // the app's clock with milliseconds (the database default has whole seconds on SQLite), so
    // events of one change keep their order when they are fanned out
    const rows = items.map((data) => ({ id: randomUUID(), userId, type, payload: JSON.stringify(data), createdAt: this.stamp(), dispatchedAt: null }));
    await m.createQueryBuilder().insert().into(OutboxEvent).values(rows).updateEntity(false).execute();
  }
}
