import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { DAY_MS } from '../common/time';
import { OutboxService } from '../outbox/outbox.service';
import type { Contact } from './contact.entity';
import { toFollowUpView } from './contact.mapper';
import { FollowUp } from './follow-up.entity';

/**
 * Keep-in-touch cadences: a contact with "every N days" has exactly one open cadence follow-up,
 * due N days after the last interaction (or after the contact was added). Logging an interaction
 * moves it; completing it schedules the next one.
 */
@Injectable()
export class CadenceService {
  constructor(
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * Due N days after the latest of: the last interaction, the last completed cadence follow-up,
   * the day the contact was added.
   */
  private async dueFor(m: EntityManager, contact: Contact): Promise<Date | null> {
    if (!contact.keepInTouchDays) return null;
    const done = await m.getRepository(FollowUp).findOne({
      where: { contactId: contact.id, status: 'done', isCadence: true },
      order: { completedAt: 'DESC' },
      select: { id: true, completedAt: true },
    });
    const candidates = [contact.lastInteractionAt, done?.completedAt, contact.createdAt ?? this.clock.now()]
      .filter((d): d is Date => Boolean(d))
      .map((d) => new Date(d).getTime());
    return new Date(Math.max(...candidates) + contact.keepInTouchDays * DAY_MS);
  }

  /** Makes the contact's open cadence follow-up match its cadence (create, move or remove it). */
  async sync(m: EntityManager, contact: Contact): Promise<void> {
    const repo = m.getRepository(FollowUp);
    const open = await repo.find({ where: { contactId: contact.id, status: 'open', isCadence: true }, order: { dueAt: 'ASC' } });
    const due = await this.dueFor(m, contact);
    if (!due) {
      if (open.length) await repo.delete(open.map((f) => f.id));
      return;
    }
    const [current, ...extra] = open;
    if (extra.length) await repo.delete(extra.map((f) => f.id));
    if (current) {
      if (new Date(current.dueAt).getTime() !== due.getTime()) await repo.update({ id: current.id }, { dueAt: due, updatedAt: this.clock.now() });
      return;
    }
    await this.schedule(m, contact, due);
  }

  /**
   * The first cadence follow-ups of contacts created just now (an import): nothing to look up, as a
   * new contact has no interactions and no done follow-ups yet, so each is due N days after it was
   * added. One INSERT and one outbox INSERT for the lot.
   */
  async scheduleForNew(m: EntityManager, contacts: Contact[]): Promise<void> {
    const rows = contacts
      .filter((c) => c.keepInTouchDays)
      .map((c) => this.cadenceRow(c, new Date(new Date(c.createdAt).getTime() + c.keepInTouchDays! * DAY_MS)));
    if (!rows.length) return;
    await m.createQueryBuilder().insert().into(FollowUp).values(rows).updateEntity(false).execute();
    await this.outbox.recordMany(m, contacts[0]!.userId, 'followup.created', rows.map(toFollowUpView));
  }

  private async schedule(m: EntityManager, contact: Contact, dueAt: Date) {
    const fu = this.cadenceRow(contact, dueAt);
    await m.getRepository(FollowUp).insert(fu);
    await this.outbox.record(m, contact.userId, 'followup.created', toFollowUpView(fu));
  }

  private cadenceRow(contact: Contact, dueAt: Date): FollowUp {
    const now = this.clock.now();
    return {
      id: randomUUID(),
      userId: contact.userId,
      contactId: contact.id,
      dueAt,
      note: `Keep in touch (every ${contact.keepInTouchDays} days)`,
      status: 'open',
      completedAt: null,
      isCadence: true,
      dueNotifiedAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }
}
