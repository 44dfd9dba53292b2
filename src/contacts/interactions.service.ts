import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { parseWhen } from '../common/forms/parse-when';
import { FormError } from '../common/forms/validate-form';
import { TransactionService } from '../database/transaction.service';
import { OutboxService } from '../outbox/outbox.service';
import { CadenceService } from './cadence.service';
import { InteractionView, toInteractionView } from './contact.mapper';
import { ContactsService, normalizeDbDate } from './contacts.service';
import { ContactNotFoundError, isId } from './crm.errors';
import { InteractionInputDto } from './dto/interaction-input.dto';
import { Interaction, InteractionType } from './interaction.entity';
import type { Contact } from './contact.entity';
import { In } from 'typeorm';

export interface ExternalInteraction {
  contactId: string;
  type: InteractionType;
  occurredAt: Date;
  summary: string;
  url: string | null;
  /** unique per user, e.g. `gh:<GitHub event id>` */
  externalKey: string;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** How many of the user's latest interactions the global search reads. */
const SEARCH_WINDOW = 5000;

@Injectable()
export class InteractionsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly contacts: ContactsService,
    private readonly cadence: CadenceService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  private when(input: InteractionInputDto, timeZone: string): Date {
    if (!input.occurredAt) return this.clock.now();
    const d = parseWhen(input.occurredAt, timeZone, 12);
    if (!d) throw new FormError({ occurredAt: 'Enter a valid date and time.' });
    return d;
  }

  async listForContact(userId: string, contactId: string, limit = 50, offset = 0): Promise<Page<InteractionView>> {
    await this.contacts.requireOwned(userId, contactId);
    const [rows, total] = await this.tx.manager.getRepository(Interaction).findAndCount({
      where: { userId, contactId },
      order: { occurredAt: 'DESC', createdAt: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toInteractionView), total };
  }

  async list(userId: string, limit = 20, offset = 0): Promise<Page<InteractionView>> {
    const [rows, total] = await this.tx.manager.getRepository(Interaction).findAndCount({
      where: { userId },
      order: { occurredAt: 'DESC', createdAt: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toInteractionView), total };
  }

  /**
   * Interactions whose summary holds every word (case-insensitive), newest first, with the
   * contact's name. Bounded: it looks at the user's latest SEARCH_WINDOW interactions only, so a
   * search that matches nothing stays cheap however long the history is.
   */
  async search(userId: string, words: string[], limit: number): Promise<Array<InteractionView & { contactName: string }>> {
    if (!words.length) return [];
    const pg = this.tx.manager.connection.options.type === 'postgres';
    const params: unknown[] = [userId];
    const p = (v: unknown) => (params.push(v), pg ? `$${params.length}` : '?');
    const like = words.map((w) => `lower(i.summary) LIKE ${p(`%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\'`).join(' AND ');
    const rows: Array<{ id: string; contact_id: string; type: string; occurred_at: string | Date; summary: string; url: string | null; name: string }> = await this.tx.manager.query(
      `SELECT i.id, i.contact_id, i.type, i.occurred_at, i.summary, i.url, c.name FROM
         (SELECT id FROM interactions WHERE user_id = ${pg ? '$1' : '?'} ORDER BY occurred_at DESC LIMIT ${SEARCH_WINDOW}) recent
         JOIN interactions i ON i.id = recent.id JOIN contacts c ON c.id = i.contact_id AND c.user_id = i.user_id
        WHERE ${like} ORDER BY i.occurred_at DESC LIMIT ${Math.max(1, Math.min(50, Math.floor(limit)))}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      contactId: r.contact_id,
      type: r.type as InteractionView['type'],
      occurredAt: normalizeDbDate(r.occurred_at).toISOString(),
      url: r.url ?? null,
      summary: r.summary,
      contactName: r.name,
    }));
  }

  async get(userId: string, id: string): Promise<InteractionView> {
    if (!isId(id)) throw new ContactNotFoundError('Interaction');
    const row = await this.tx.manager.getRepository(Interaction).findOne({ where: { id, userId } });
    if (!row) throw new ContactNotFoundError('Interaction');
    return toInteractionView(row);
  }

  create(userId: string, contactId: string, input: InteractionInputDto, timeZone: string): Promise<InteractionView> {
    return this.tx.run(async (m) => {
      const contact = await this.contacts.requireOwned(userId, contactId, m);
      const now = this.clock.now();
      const row = m.getRepository(Interaction).create({
        id: randomUUID(),
        userId,
        contactId: contact.id,
        type: input.type,
        occurredAt: this.when(input, timeZone),
        summary: input.summary ?? '',
        createdAt: now,
        updatedAt: now,
      });
      await m.getRepository(Interaction).insert(row);
      await this.contacts.refreshLastInteraction(m, contact);
      await this.cadence.sync(m, contact);
      const view = toInteractionView(row);
      await this.outbox.record(m, userId, 'interaction.created', view);
      return view;
    });
  }

  /**
   * Interactions found by a sync (the GitHub conversations), each once: an entry whose `externalKey`
   * the user already has is skipped. Like any interaction they move lastInteractionAt and the
   * keep-in-touch cadence. Returns how many were created.
   */
  recordExternal(userId: string, entries: ExternalInteraction[]): Promise<number> {
    if (!entries.length) return Promise.resolve(0);
    return this.tx.run(async (m) => {
      const repo = m.getRepository(Interaction);
      const keys = [...new Set(entries.map((e) => e.externalKey))];
      const known = new Set((await repo.find({ where: { userId, externalKey: In(keys) }, select: { id: true, externalKey: true } })).map((r) => r.externalKey));
      const touched = new Map<string, Contact>();
      let created = 0;
      for (const e of entries) {
        if (known.has(e.externalKey)) continue;
        known.add(e.externalKey);
        const contact = touched.get(e.contactId) ?? (await this.contacts.requireOwned(userId, e.contactId, m));
        touched.set(contact.id, contact);
        const now = this.clock.now();
        const row = repo.create({ id: randomUUID(), userId, contactId: contact.id, type: e.type, occurredAt: e.occurredAt, summary: e.summary, url: e.url, externalKey: e.externalKey, createdAt: now, updatedAt: now });
        await repo.insert(row);
        await this.outbox.record(m, userId, 'interaction.created', toInteractionView(row));
        created++;
      }
      for (const contact of touched.values()) {
        await this.contacts.refreshLastInteraction(m, contact);
        await this.cadence.sync(m, contact);
      }
      return created;
    });
  }

  update(userId: string, id: string, input: InteractionInputDto, timeZone: string): Promise<InteractionView> {
    return this.tx.run(async (m) => {
      if (!isId(id)) throw new ContactNotFoundError('Interaction');
      const row = await m.getRepository(Interaction).findOne({ where: { id, userId } });
      if (!row) throw new ContactNotFoundError('Interaction');
      // a GitHub entry stays one (its type is not offered in the form)
      if (row.type !== 'github') row.type = input.type;
      if (input.occurredAt) row.occurredAt = this.when(input, timeZone);
      if (input.summary !== undefined) row.summary = input.summary;
      row.updatedAt = this.clock.now();
      await m.getRepository(Interaction).save(row);
      const contact = await this.contacts.requireOwned(userId, row.contactId, m);
      await this.contacts.refreshLastInteraction(m, contact);
      await this.cadence.sync(m, contact);
      return toInteractionView(row);
    });
  }

  remove(userId: string, id: string): Promise<{ contactId: string }> {
    return this.tx.run(async (m) => {
      if (!isId(id)) throw new ContactNotFoundError('Interaction');
      const row = await m.getRepository(Interaction).findOne({ where: { id, userId } });
      if (!row) throw new ContactNotFoundError('Interaction');
      await m.getRepository(Interaction).delete({ id: row.id, userId });
      const contact = await this.contacts.requireOwned(userId, row.contactId, m);
      await this.contacts.refreshLastInteraction(m, contact);
      await this.cadence.sync(m, contact);
      return { contactId: row.contactId };
    });
  }
}
