import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { Clock } from '../common/clock';
import { sha256Hex } from '../common/crypto/tokens';
import { AuthThrottle } from './auth-throttle.entity';
import { clientKey } from '../common/api/client-key';

const WINDOW_MS = 15 * 60 * 1000;
const LOCK_MS = 15 * 60 * 1000;
const MAX_PER_EMAIL = 5;
const MAX_PER_IP = 20;

/**
 * Refuses log-ins for a while after repeated failures, per e-mail address and per client IP.
 * Kept in the database so that every instance sees the same count; the address is hashed.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  private keys(email: string, ip: string): Array<{ key: string; max: number }> {
    return [
      { key: `email:${sha256Hex(email.toLowerCase()).slice(0, 40)}`, max: MAX_PER_EMAIL },
      // an IPv6 client per /64: it could rotate through single addresses at will
      { key: `ip:${sha256Hex(clientKey(ip)).slice(0, 40)}`, max: MAX_PER_IP },
    ];
  }

  /** Seconds until the next attempt is allowed, or 0 when it may go ahead. */
  async retryAfter(email: string, ip: string): Promise<number> {
    const now = this.clock.now().getTime();
    const repo = this.tx.manager.getRepository(AuthThrottle);
    let wait = 0;
    const rows = await repo.find({ where: { key: In(this.keys(email, ip).map((k) => k.key)) } });
    for (const row of rows) {
      if (row.lockedUntil && row.lockedUntil.getTime() > now) {
        wait = Math.max(wait, Math.ceil((row.lockedUntil.getTime() - now) / 1000));
      }
    }
    return wait;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async (m) => {
      const repo = m.getRepository(AuthThrottle);
      for (const { key, max } of this.keys(email, ip)) {
        let row = await repo.findOne({ where: { key } });
        if (!row || now.getTime() - row.windowStartedAt.getTime() > WINDOW_MS) {
          row = repo.create({ key, failures: 0, windowStartedAt: now, lockedUntil: null });
        }
        row.failures += 1;
        if (row.failures >= max) row.lockedUntil = new Date(now.getTime() + LOCK_MS);
        await repo.save(row);
      }
    });
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    const [emailKey] = this.keys(email, ip);
    await this.tx.run((m) => m.getRepository(AuthThrottle).delete({ key: emailKey.key }));
  }
}
