import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import session from 'express-session';
import { LessThan, Repository } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { SessionRow } from './session.entity';

const DEFAULT_TTL_MS = 14 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

type Data = session.SessionData & { userId?: string };

/**
 * express-session store on the `sessions` table: sessions survive a restart and are shared by
 * every instance that uses the same database. The owner's id is kept in its own column so that
 * a password change can end the user's other sessions.
 */
@Injectable()
export class DatabaseSessionStore extends session.Store {
  private readonly touched = new Map<string, number>();

  constructor(
    @InjectRepository(SessionRow) private readonly rows: Repository<SessionRow>,
    private readonly tx: TransactionService,
  ) {
    super();
  }

  private expiry(sess: Data): Date {
    const exp = sess.cookie?.expires;
    return exp ? new Date(exp) : new Date(Date.now() + DEFAULT_TTL_MS);
  }

  override get(sid: string, cb: (err: unknown, session?: Data | null) => void): void {
    this.rows
      .findOne({ where: { id: sid } })
      .then((row) => {
        if (!row || row.expiresAt.getTime() <= Date.now()) return cb(null, null);
        cb(null, JSON.parse(row.data) as Data);
      })
      .catch((err) => cb(err));
  }

  override set(sid: string, sess: Data, cb?: (err?: unknown) => void): void {
    this.touched.set(sid, Date.now());
    this.tx
      .run((m) => m.getRepository(SessionRow).save({ id: sid, userId: sess.userId ?? null, data: JSON.stringify(sess), expiresAt: this.expiry(sess) }))
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  override touch(sid: string, sess: Data, cb?: (err?: unknown) => void): void {
    const last = this.touched.get(sid) ?? 0;
    if (Date.now() - last < TOUCH_EVERY_MS) return cb?.();
    this.touched.set(sid, Date.now());
    if (this.touched.size > 10_000) this.touched.clear();
    this.tx
      .run((m) => m.getRepository(SessionRow).update({ id: sid }, { expiresAt: this.expiry(sess) }))
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.touched.delete(sid);
    this.tx
      .run((m) => m.getRepository(SessionRow).delete({ id: sid }))
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  /** Ends every session of a user except, optionally, the one in use. */
  async destroyUserSessions(userId: string, exceptSid?: string): Promise<void> {
    await this.tx.run(async (m) => {
      const qb = m.createQueryBuilder().delete().from(SessionRow).where('user_id = :userId', { userId });
      if (exceptSid) qb.andWhere('id <> :sid', { sid: exceptSid });
      await qb.execute();
    });
  }

  async deleteExpired(now = new Date()): Promise<number> {
    const res = await this.tx.run((m) => m.getRepository(SessionRow).delete({ expiresAt: LessThan(now) }));
    return res.affected ?? 0;
  }
}
