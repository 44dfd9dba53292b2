import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { DailySalt } from './daily-salt.entity';

/**
 * Turns an IP address into something that counts unique visitors without storing the address:
 * SHA-256 over a random salt of the (UTC) day. The salt lives in the database so every instance
 * and a restart agree on it, and the previous days' salts are deleted, so yesterday's hashes can
 * no longer be recomputed from a guessed address.
 */
@Injectable()
export class VisitorHasher {
  private current: { day: string; salt: string } | null = null;

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  async salt(): Promise<string> {
    const day = this.clock.now().toISOString().slice(0, 10);
    if (this.current?.day === day) return this.current.salt;
    const salt = await this.tx.run(async (m) => {
      const repo = m.getRepository(DailySalt);
      await repo.delete({ day: LessThan(day) });
      await repo.createQueryBuilder().insert().values({ day, salt: randomBytes(32).toString('base64url') }).orIgnore().execute();
      return (await repo.findOneByOrFail({ day })).salt;
    });
    this.current = { day, salt };
    return salt;
  }

  static hash(salt: string, ...parts: string[]): string {
    return createHash('sha256').update(salt).update('\u0000').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
  }
}
