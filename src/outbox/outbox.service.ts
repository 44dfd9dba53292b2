import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
  async record(m: EntityManager, userId: string, type: EventType, data: unknown): Promise<void> {
    await m.getRepository(OutboxEvent).insert({ id: randomUUID(), userId, type, payload: JSON.stringify(data), dispatchedAt: null });
  }
}
