import { Injectable } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { Contact } from './contact.entity';
import { ContactsRepository } from './contacts.repository';
import { normalizeDbDate } from './contacts.service';
import { FollowUp } from './follow-up.entity';
import { Interaction, InteractionType } from './interaction.entity';

/** What the daily digest reads of one contact: no e-mail, phone, notes or links. */
export interface ContactSignal {
  id: string;
  name: string;
  company: string | null;
  title: string | null;
  isVip: boolean;
  keepInTouchDays: number | null;
  lastInteractionAt: Date | null;
  createdAt: Date;
}

export interface DueFollowUpSignal {
  id: string;
  contactId: string;
  dueAt: Date;
  isCadence: boolean;
}

export interface ContactSignals {
  contacts: ContactSignal[];
  /** open follow-ups due before `dueBefore` (overdue ones included) */
  dueFollowUps: DueFollowUpSignal[];
  /** interactions per contact added since `recentSince` (the "met recently" check) */
  recentInteractionCounts: Map<string, number>;
}

export interface ContactDetail {
  tags: string[];
  lastInteraction: { type: InteractionType; occurredAt: Date; summary: string } | null;
}

/**
 * Read-only views of a user's contacts for the daily digest (the agent module reads them here,
 * never through the contacts tables). Each read is one indexed query scoped by the owner.
 */
@Injectable()
export class ContactSignalsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ContactsRepository,
  ) {}

  async signals(userId: string, dueBefore: Date, recentSince: Date): Promise<ContactSignals> {
    const m = this.tx.manager;
    const contacts = await m.getRepository(Contact).find({
      where: { userId },
      select: { id: true, name: true, company: true, title: true, isVip: true, keepInTouchDays: true, lastInteractionAt: true, createdAt: true },
    });
    const followUps = await m.getRepository(FollowUp).find({
      where: { userId, status: 'open', dueAt: LessThan(dueBefore) },
      select: { id: true, contactId: true, dueAt: true, isCadence: true },
      order: { dueAt: 'ASC' },
      take: 500,
    });
    const recentIds = contacts.filter((c) => normalizeDbDate(c.createdAt) >= recentSince).map((c) => c.id);
    const recentInteractionCounts = new Map<string, number>(recentIds.map((id) => [id, 0]));
    if (recentIds.length) {
      const rows: Array<{ contact_id: string; n: string | number }> = await m
        .getRepository(Interaction)
        .createQueryBuilder('i')
        .select('i.contact_id', 'contact_id')
        .addSelect('COUNT(*)', 'n')
        .where('i.user_id = :userId', { userId })
        .andWhere({ contactId: In(recentIds.slice(0, 500)) })
        .groupBy('i.contact_id')
        .getRawMany();
      for (const r of rows) recentInteractionCounts.set(r.contact_id, Number(r.n));
    }
    return {
      contacts: contacts.map((c) => ({
        ...c,
        isVip: Boolean(c.isVip),
        lastInteractionAt: c.lastInteractionAt ? normalizeDbDate(c.lastInteractionAt) : null,
        createdAt: normalizeDbDate(c.createdAt),
      })),
      dueFollowUps: followUps.map((f) => ({ id: f.id, contactId: f.contactId, dueAt: normalizeDbDate(f.dueAt), isCadence: Boolean(f.isCadence) })),
      recentInteractionCounts,
    };
  }

  /** Tag names and the latest interaction of each contact (owner-scoped; unknown ids are left out). */
  async details(userId: string, contactIds: string[]): Promise<Map<string, ContactDetail>> {
    const out = new Map<string, ContactDetail>();
    if (!contactIds.length) return out;
    const owned = await this.tx.manager.getRepository(Contact).find({ where: { userId, id: In(contactIds) }, select: { id: true } });
    const ids = owned.map((c) => c.id);
    const tags = await this.repo.tagsFor(ids);
    for (const id of ids) out.set(id, { tags: (tags.get(id) ?? []).map((t) => t.name), lastInteraction: null });
    if (!ids.length) return out;
    // one indexed look-up per contact (IDX_interactions_user_contact_occurred): the latest only
    for (const id of ids) {
      const r = await this.tx.manager.getRepository(Interaction).findOne({
        where: { userId, contactId: id },
        select: { type: true, occurredAt: true, summary: true },
        order: { occurredAt: 'DESC' },
      });
      if (r) out.get(id)!.lastInteraction = { type: r.type, occurredAt: normalizeDbDate(r.occurredAt), summary: r.summary };
    }
    return out;
  }
}
