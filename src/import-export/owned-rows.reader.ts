import { Injectable } from '@nestjs/common';
import { EntityTarget, FindOptionsOrder, FindOptionsWhere, MoreThan, ObjectLiteral } from 'typeorm';
import { ContactTag } from '../contacts/contact-tag.entity';
import { Contact } from '../contacts/contact.entity';
import { ContactView, TagRef, toContactView } from '../contacts/contact.mapper';
import { TransactionService } from '../database/transaction.service';
import { Tag } from '../tags/tag.entity';

/**
 * Read-only, keyset-paged reads of everything a user owns, for exports and for the import's
 * duplicate check. ContactsService / InteractionsService list with OFFSET pages (and, for
 * interactions and follow-ups, over sort keys that are not unique), which repeats or drops rows
 * at page edges and gets slower page by page; a complete export of 20,000 contacts needs neither.
 * Writes never come through here: they go through the owning services.
 */
@Injectable()
export class OwnedRowsReader {
  constructor(private readonly tx: TransactionService) {}

  /** Rows of one table with `id` and `userId`, in id order, one page in memory at a time. */
  async *rows<E extends ObjectLiteral & { id: string; userId: string }>(entity: EntityTarget<E>, userId: string, pageSize = 500): AsyncGenerator<E> {
    let after = '';
    for (;;) {
      const page = await this.tx.manager.getRepository(entity).find({
        where: { userId, id: MoreThan(after) } as FindOptionsWhere<E>,
        order: { id: 'ASC' } as FindOptionsOrder<E>,
        take: pageSize,
      });
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** Every contact of the user with its tags, in name order (keyset on the (user_id, sort_name) index). */
  async *contacts(userId: string, pageSize = 500): AsyncGenerator<ContactView> {
    let after: { sortName: string; id: string } | null = null;
    for (;;) {
      const qb = this.tx.manager.getRepository(Contact).createQueryBuilder('c').where('c.user_id = :userId', { userId });
      if (after) qb.andWhere('(c.sort_name > :afterName OR (c.sort_name = :afterName AND c.id > :afterId))', { afterName: after.sortName, afterId: after.id });
      const page = await qb.orderBy('c.sort_name', 'ASC').addOrderBy('c.id', 'ASC').limit(pageSize).getMany();
      if (!page.length) return;
      const tags = await this.tagsFor(page.map((c) => c.id));
      for (const c of page) yield toContactView(c, tags.get(c.id) ?? []);
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { sortName: last.sortName, id: last.id };
    }
  }

  private async tagsFor(contactIds: string[]): Promise<Map<string, TagRef[]>> {
    const map = new Map<string, TagRef[]>();
    const rows: Array<{ contact_id: string; id: string; name: string }> = await this.tx.manager
      .createQueryBuilder()
      .select(['ct.contact_id AS contact_id', 't.id AS id', 't.name AS name'])
      .from(ContactTag, 'ct')
      .innerJoin(Tag, 't', 't.id = ct.tag_id')
      .where('ct.contact_id IN (:...ids)', { ids: contactIds })
      .orderBy('t.name_key', 'ASC')
      .getRawMany();
    for (const r of rows) {
      const list = map.get(r.contact_id) ?? [];
      list.push({ id: r.id, name: r.name });
      map.set(r.contact_id, list);
    }
    return map;
  }
}
