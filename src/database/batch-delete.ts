import { EntityTarget, FindOptionsWhere, In, ObjectLiteral } from 'typeorm';
import { yieldToEventLoop } from '../common/event-loop';
import type { TransactionService } from './transaction.service';

export const CLEANUP_BATCH = 1000;

/**
 * Deletes every row matching `where`, `batch` rows per transaction, giving other requests a turn
 * between batches (a long delete on SQLite would otherwise hold the one connection). `key` is the
 * entity's single-column primary key. Returns how many rows went.
 */
export async function deleteInBatches<T extends ObjectLiteral>(
  tx: TransactionService,
  entity: EntityTarget<T>,
  where: FindOptionsWhere<T>,
  options: { key?: keyof T & string; batch?: number } = {},
): Promise<number> {
  const key = options.key ?? 'id';
  const batch = options.batch ?? CLEANUP_BATCH;
  let total = 0;
  for (;;) {
    const n = await tx.run(async (m) => {
      const repo = m.getRepository(entity);
      const rows = await repo.find({ select: { [key]: true } as never, where, take: batch });
      if (!rows.length) return 0;
      await repo.delete({ [key]: In(rows.map((r) => r[key])) } as never);
      return rows.length;
    });
    total += n;
    if (n < batch) return total;
    await yieldToEventLoop();
  }
}
