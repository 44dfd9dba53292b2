import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, FindOptionsWhere, LessThan, MoreThanOrEqual, Between, Not } from 'typeorm';
import { Clock } from '../common/clock';
import { parseWhen } from '../common/forms/parse-when';
import { FormError } from '../common/forms/validate-form';
import { DAY_MS, startOfDayInZone } from '../common/time';
import { TransactionService } from '../database/transaction.service';
import { OutboxService } from '../outbox/outbox.service';
import { CadenceService } from './cadence.service';
import { Contact } from './contact.entity';
import { FollowUpView, toFollowUpView } from './contact.mapper';
import { ContactsService, normalizeDbDate } from './contacts.service';
import { ContactNotFoundError, isId } from './crm.errors';
import { FollowUpInputDto } from './dto/interaction-input.dto';
import { FollowUp } from './follow-up.entity';
import type { Page } from './interactions.service';

export type FollowUpSection = 'overdue' | 'today' | 'upcoming' | 'done';
export const FOLLOW_UP_SECTIONS: FollowUpSection[] = ['overdue', 'today', 'upcoming', 'done'];
export type SnoozeOption = 'tomorrow' | 'next-week' | 'date';

/** A follow-up with the name of its contact, for lists. */
export interface FollowUpItem extends FollowUpView {
  contactName: string;
  isCadence: boolean;
}

/** One row of the dashboard's "Today": an open follow-up due by the end of the user's day. */
export interface TodayItem {
  id: string;
  contactId: string;
  contactName: string;
  isVip: boolean;
  isCadence: boolean;
  keepInTouchDays: number | null;
  note: string;
  dueAt: string;
  /** whole days past due in the user's time zone (0: due today) */
  daysOverdue: number;
  kind: 'overdue' | 'today' | 'lapsed';
}

export interface LosingTouchItem {
  contactId: string;
  contactName: string;
  keepInTouchDays: number;
  dueAt: string;
  overdueDays: number;
}

@Injectable()
export class FollowUpsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly contacts: ContactsService,
    private readonly cadence: CadenceService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  private parseDue(value: string, timeZone: string): Date {
    const d = parseWhen(value, timeZone, 9);
    if (!d) throw new FormError({ dueAt: 'Choose a valid due date.' });
    return d;
  }

  private async owned(m: EntityManager, userId: string, id: string): Promise<FollowUp> {
    if (!isId(id)) throw new ContactNotFoundError('Follow-up');
    const row = await m.getRepository(FollowUp).findOne({ where: { id, userId } });
    if (!row) throw new ContactNotFoundError('Follow-up');
    return row;
  }

  /** Time windows of the user's day, in their time zone. */
  private windows(timeZone: string) {
    const now = this.clock.now();
    return { startOfToday: startOfDayInZone(now, timeZone), startOfTomorrow: startOfDayInZone(now, timeZone, 1) };
  }

  private sectionWhere(userId: string, section: FollowUpSection, timeZone: string): FindOptionsWhere<FollowUp> {
    const { startOfToday, startOfTomorrow } = this.windows(timeZone);
    switch (section) {
      case 'overdue':
        return { userId, status: 'open', dueAt: LessThan(startOfToday) };
      case 'today':
        return { userId, status: 'open', dueAt: Between(startOfToday, new Date(startOfTomorrow.getTime() - 1)) };
      case 'upcoming':
        return { userId, status: 'open', dueAt: MoreThanOrEqual(startOfTomorrow) };
      default:
        return { userId, status: 'done' };
    }
  }

  async section(userId: string, section: FollowUpSection, timeZone: string, limit: number, offset = 0): Promise<Page<FollowUpItem>> {
    const [rows, total] = await this.tx.manager.getRepository(FollowUp).findAndCount({
      where: this.sectionWhere(userId, section, timeZone),
      order: section === 'done' ? { completedAt: 'DESC' } : { dueAt: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: await this.withNames(userId, rows), total };
  }

  private async withNames(userId: string, rows: FollowUp[]): Promise<FollowUpItem[]> {
    const ids = [...new Set(rows.map((r) => r.contactId))];
    const contacts = ids.length ? await this.tx.manager.getRepository(Contact).find({ where: ids.map((id) => ({ id, userId })), select: { id: true, name: true } }) : [];
    const names = new Map(contacts.map((c) => [c.id, c.name]));
    return rows.map((r) => ({ ...toFollowUpView(r), contactName: names.get(r.contactId) ?? '', isCadence: Boolean(r.isCadence) }));
  }

  async forContact(userId: string, contactId: string): Promise<FollowUpItem[]> {
    await this.contacts.requireOwned(userId, contactId);
    const rows = await this.tx.manager.getRepository(FollowUp).find({ where: { userId, contactId, status: 'open' }, order: { dueAt: 'ASC' }, take: 50 });
    return this.withNames(userId, rows);
  }

  /** The API list: open, due (open and due by now) or done. */
  async list(userId: string, status: 'open' | 'due' | 'done' | undefined, limit: number, offset: number): Promise<Page<FollowUpView>> {
    const where: FindOptionsWhere<FollowUp> =
      status === 'done' ? { userId, status: 'done' } : status === 'due' ? { userId, status: 'open', dueAt: LessThan(this.clock.now()) } : status === 'open' ? { userId, status: 'open' } : { userId };
    const [rows, total] = await this.tx.manager.getRepository(FollowUp).findAndCount({ where, order: { dueAt: 'ASC' }, take: limit, skip: offset });
    return { items: rows.map(toFollowUpView), total };
  }

  async get(userId: string, id: string): Promise<FollowUpItem> {
    const row = await this.owned(this.tx.manager, userId, id);
    return (await this.withNames(userId, [row]))[0];
  }

  create(userId: string, contactId: string, input: FollowUpInputDto, timeZone: string): Promise<FollowUpView> {
    return this.tx.run(async (m) => {
      const contact = await this.contacts.requireOwned(userId, contactId, m);
      const now = this.clock.now();
      const row = m.getRepository(FollowUp).create({
        id: randomUUID(),
        userId,
        contactId: contact.id,
        dueAt: this.parseDue(input.dueAt, timeZone),
        note: input.note ?? '',
        status: 'open',
        completedAt: null,
        isCadence: false,
        dueNotifiedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await m.getRepository(FollowUp).insert(row);
      const view = toFollowUpView(row);
      await this.outbox.record(m, userId, 'followup.created', view);
      return view;
    });
  }

  update(userId: string, id: string, input: Partial<FollowUpInputDto> & { status?: 'open' | 'done' }, timeZone: string): Promise<FollowUpView> {
    return this.tx.run(async (m) => {
      const row = await this.owned(m, userId, id);
      if (input.dueAt !== undefined) {
        row.dueAt = this.parseDue(input.dueAt, timeZone);
        row.dueNotifiedAt = null;
      }
      if (input.note !== undefined) row.note = input.note;
      row.updatedAt = this.clock.now();
      await m.getRepository(FollowUp).save(row);
      if (input.status === 'done' && row.status !== 'done') return this.complete(userId, id);
      if (input.status === 'open' && row.status === 'done') return this.reopen(userId, id);
      return toFollowUpView(row);
    });
  }

  /** Marks done; a cadence follow-up schedules the next one. */
  complete(userId: string, id: string): Promise<FollowUpView> {
    return this.tx.run(async (m) => {
      const row = await this.owned(m, userId, id);
      if (row.status === 'done') return toFollowUpView(row);
      row.status = 'done';
      row.completedAt = this.clock.now();
      row.updatedAt = row.completedAt;
      await m.getRepository(FollowUp).save(row);
      const view = toFollowUpView(row);
      await this.outbox.record(m, userId, 'followup.completed', view);
      if (row.isCadence) {
        const contact = await this.contacts.requireOwned(userId, row.contactId, m);
        await this.cadence.sync(m, contact);
      }
      return view;
    });
  }

  reopen(userId: string, id: string): Promise<FollowUpView> {
    return this.tx.run(async (m) => {
      const row = await this.owned(m, userId, id);
      row.status = 'open';
      row.completedAt = null;
      row.updatedAt = this.clock.now();
      await m.getRepository(FollowUp).save(row);
      // undoing "done" on a cadence follow-up drops the successor its completion scheduled:
      // a contact has one open cadence follow-up
      if (row.isCadence) await m.getRepository(FollowUp).delete({ userId, contactId: row.contactId, status: 'open', isCadence: true, id: Not(row.id) });
      return toFollowUpView(row);
    });
  }

  snooze(userId: string, id: string, option: SnoozeOption, timeZone: string, date?: string): Promise<FollowUpView> {
    return this.tx.run(async (m) => {
      const row = await this.owned(m, userId, id);
      const now = this.clock.now();
      let dueAt: Date;
      if (option === 'tomorrow') dueAt = new Date(startOfDayInZone(now, timeZone, 1).getTime() + 9 * 3600_000);
      else if (option === 'next-week') dueAt = new Date(startOfDayInZone(now, timeZone, 7).getTime() + 9 * 3600_000);
      else {
        if (!date) throw new FormError({ date: 'Choose a date to snooze until.' });
        dueAt = this.parseDue(date, timeZone);
        // today is fine (even if 09:00 has passed), an earlier day in the user's zone is not
        if (dueAt.getTime() < startOfDayInZone(now, timeZone).getTime()) throw new FormError({ date: 'Choose a date in the future.' });
      }
      row.dueAt = dueAt;
      row.status = 'open';
      row.completedAt = null;
      row.dueNotifiedAt = null;
      row.updatedAt = now;
      await m.getRepository(FollowUp).save(row);
      return toFollowUpView(row);
    });
  }

  remove(userId: string, id: string): Promise<{ contactId: string }> {
    return this.tx.run(async (m) => {
      const row = await this.owned(m, userId, id);
      await m.getRepository(FollowUp).delete({ id: row.id, userId });
      return { contactId: row.contactId };
    });
  }

  /** Contacts whose keep-in-touch cadence has lapsed, most overdue first. */
  async losingTouch(userId: string, limit = 10): Promise<LosingTouchItem[]> {
    const now = this.clock.now();
    const rows = await this.tx.manager
      .getRepository(FollowUp)
      .createQueryBuilder('f')
      .innerJoin(Contact, 'c', 'c.id = f.contact_id AND c.user_id = f.user_id')
      .select(['f.contact_id AS contact_id', 'f.due_at AS due_at', 'c.name AS name', 'c.keep_in_touch_days AS days'])
      .where('f.user_id = :userId', { userId })
      .andWhere(`f.status = 'open'`)
      .andWhere('f.is_cadence = :yes', { yes: true })
      .andWhere('f.due_at < :now', { now })
      .orderBy('f.due_at', 'ASC')
      .limit(limit)
      .getRawMany<{ contact_id: string; due_at: string | Date; name: string; days: number }>();
    return rows.map((r) => {
      const due = normalizeDbDate(r.due_at);
      return {
        contactId: r.contact_id,
        contactName: r.name,
        keepInTouchDays: Number(r.days),
        dueAt: due.toISOString(),
        overdueDays: Math.max(1, Math.floor((now.getTime() - due.getTime()) / DAY_MS)),
      };
    });
  }

  /**
   * Claims up to `limit` open follow-ups that had fallen due at `now` and were never announced, in the
   * caller's transaction: marks them announced and records a `followup.due` event for each. Rows are
   * locked and skipped when another instance holds them (PostgreSQL), and the UPDATE re-checks
   * `due_notified_at IS NULL`, so each follow-up is claimed once across instances. Ordered by user,
   * so a user's follow-ups come together.
   */
  async claimDue(m: EntityManager, now: Date, limit: number): Promise<Array<FollowUpView & { userId: string; contactName: string }>> {
    const q = m
      .getRepository(FollowUp)
      .createQueryBuilder('f')
      .select(['f.id'])
      .where("f.status = 'open' AND f.due_notified_at IS NULL AND f.due_at <= :now", { now })
      .orderBy('f.user_id', 'ASC')
      .addOrderBy('f.due_at', 'ASC')
      .limit(limit);
    if (m.connection.options.type === 'postgres') q.setLock('pessimistic_write').setOnLocked('skip_locked');
    const ids = (await q.getMany()).map((f) => f.id);
    if (!ids.length) return [];
    await m
      .createQueryBuilder()
      .update(FollowUp)
      .set({ dueNotifiedAt: now, updatedAt: () => 'updated_at' })
      .where('id IN (:...ids) AND due_notified_at IS NULL', { ids })
      .execute();
    const rows = await m
      .getRepository(FollowUp)
      .createQueryBuilder('f')
      .innerJoin(Contact, 'c', 'c.id = f.contact_id')
      .addSelect('c.name', 'contact_name')
      .where('f.id IN (:...ids)', { ids })
      .andWhere('f.due_notified_at = :now', { now })
      .orderBy('f.user_id', 'ASC')
      .addOrderBy('f.due_at', 'ASC')
      .getRawAndEntities();
    const names = new Map(rows.raw.map((r: { f_id: string; contact_name: string }) => [r.f_id, r.contact_name]));
    const claimed = rows.entities.map((f) => ({ ...toFollowUpView(f), userId: f.userId, contactName: names.get(f.id) ?? '' }));
    const byUser = new Map<string, FollowUpView[]>();
    for (const f of claimed) {
      const { userId, contactName: _n, ...view } = f;
      byUser.set(userId, [...(byUser.get(userId) ?? []), view]);
    }
    for (const [userId, views] of byUser) await this.outbox.recordMany(m, userId, 'followup.due', views);
    return claimed;
  }

  /**
   * What needs the user today, ranked: open follow-ups due before the end of their day (dated
   * ones and lapsed keep-in-touch cadences alike), VIP contacts first, then the most overdue.
   * One query on IDX_follow_ups_user_status_due (or the like) joined to the contact.
   */
  async today(userId: string, timeZone: string, limit: number): Promise<{ items: TodayItem[]; total: number; overdue: number }> {
    const { startOfToday, startOfTomorrow } = this.windows(timeZone);
    const base = () =>
      this.tx.manager
        .getRepository(FollowUp)
        .createQueryBuilder('f')
        .innerJoin(Contact, 'c', 'c.id = f.contact_id AND c.user_id = f.user_id')
        .where('f.user_id = :userId', { userId })
        .andWhere(`f.status = 'open'`)
        .andWhere('f.due_at < :end', { end: startOfTomorrow });
    const [rows, total, overdue] = await Promise.all([
      base()
        .select([
          'f.id AS id',
          'f.contact_id AS contact_id',
          'f.due_at AS due_at',
          'f.note AS note',
          'f.is_cadence AS is_cadence',
          'c.name AS name',
          'c.is_vip AS is_vip',
          'c.keep_in_touch_days AS days',
        ])
        .orderBy('c.is_vip', 'DESC')
        .addOrderBy('f.due_at', 'ASC')
        .addOrderBy('f.id', 'ASC')
        .limit(limit)
        .getRawMany<{ id: string; contact_id: string; due_at: string | Date; note: string; is_cadence: unknown; name: string; is_vip: unknown; days: number | null }>(),
      base().getCount(),
      base().andWhere('f.due_at < :start', { start: startOfToday }).getCount(),
    ]);
    const items = rows.map((r): TodayItem => {
      const due = normalizeDbDate(r.due_at);
      const daysOverdue = due < startOfToday ? Math.max(1, Math.ceil((startOfToday.getTime() - due.getTime()) / DAY_MS)) : 0;
      const isCadence = Boolean(Number(r.is_cadence)) || r.is_cadence === true;
      return {
        id: r.id,
        contactId: r.contact_id,
        contactName: r.name,
        isVip: Boolean(Number(r.is_vip)) || r.is_vip === true,
        isCadence,
        keepInTouchDays: r.days === null ? null : Number(r.days),
        note: r.note,
        dueAt: due.toISOString(),
        daysOverdue,
        kind: isCadence && daysOverdue > 0 ? 'lapsed' : daysOverdue > 0 ? 'overdue' : 'today',
      };
    });
    return { items, total, overdue };
  }

  /** Open follow-ups per section, for the tabs of /follow-ups. */
  async sectionCounts(userId: string, timeZone: string): Promise<Record<FollowUpSection, number>> {
    const repo = this.tx.manager.getRepository(FollowUp);
    const counts = await Promise.all(FOLLOW_UP_SECTIONS.map((s) => repo.count({ where: this.sectionWhere(userId, s, timeZone) })));
    return Object.fromEntries(FOLLOW_UP_SECTIONS.map((s, i) => [s, counts[i]])) as Record<FollowUpSection, number>;
  }

  async countOpen(userId: string): Promise<number> {
    return this.tx.manager.getRepository(FollowUp).count({ where: { userId, status: 'open' } });
  }
}
