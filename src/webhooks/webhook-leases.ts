import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { WebhookDelivery } from './webhook.entity';

/**
 * How long a claim keeps other instances off a delivery. Short, so that after a crash (kill -9,
 * out of memory) another instance, or this one restarted, picks the delivery up within ~15 s;
 * the heartbeat below keeps it for as long as this process is alive and working on it.
 */
export const LEASE_MS = 15_000;
/** leases of held deliveries are renewed this often (three renewals fit in one lease) */
export const RENEW_EVERY_MS = 5_000;
const RENEW_CHUNK = 500;

/**
 * Renews the leases of every delivery this process holds (waiting or in flight), every
 * RENEW_EVERY_MS, in one UPDATE per 500 ids. A failed renewal is logged and tried again at the next
 * beat; claims whose lease has run short are then not started (the dispatcher checks leaseUntil).
 */
export class LeaseHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private renewedUntil = 0;
  private renewing = false;

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly heldIds: () => string[],
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The lease a claim has now: its own, or a later one the heartbeat wrote while it was held. */
  leaseUntil(claimedUntil: number): number {
    return Math.max(claimedUntil, this.renewedUntil);
  }

  start() {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One renewal (the timer calls it; tests may too). */
  async beat(): Promise<number> {
    if (this.renewing) return 0;
    const ids = this.heldIds();
    if (!ids.length) {
      this.stop();
      return 0;
    }
    this.renewing = true;
    const until = new Date(this.clock.now().getTime() + LEASE_MS);
    try {
      await this.tx.run(async (m) => {
        for (let i = 0; i < ids.length; i += RENEW_CHUNK) {
          await m
            .createQueryBuilder()
            .update(WebhookDelivery)
            .set({ lockedUntil: until })
            .where('id IN (:...ids)', { ids: ids.slice(i, i + RENEW_CHUNK) })
            .andWhere('locked_until IS NOT NULL')
            .updateEntity(false)
            .execute();
        }
      });
      this.renewedUntil = until.getTime();
      return ids.length;
    } catch (err) {
      this.onError(err);
      return 0;
    } finally {
      this.renewing = false;
    }
  }
}
