import { Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/crypto/tokens';
import { clientKey } from '../common/api/client-key';
import { RateCounterService } from '../common/rate/rate-counter.service';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** checked attempts for one address from one client, then that client is refused for the address */
export const MAX_PER_ADDRESS_AND_CLIENT = 5;
/** checked attempts from one client, whatever the address, then the client is refused */
export const MAX_PER_CLIENT = 20;
/** failures for one address from all clients before each further attempt is slowed down */
const SLOW_AFTER = 5;
const MAX_DELAY_MS = 10_000;

export type LoginTicket =
  | { ok: true; delayMs: number; giveBack: () => Promise<void> }
  | { ok: false; retryAfter: number };

const hashAddress = (email: string) => sha256Hex(email.trim().toLowerCase()).slice(0, 40);
// an IPv6 client per /64: it could rotate through single addresses at will
const hashClient = (ip: string) => sha256Hex(clientKey(ip)).slice(0, 40);

/**
 * Log-in limits in the shared rate_counters table. The attempt is taken before the password is
 * checked (one atomic statement per counter) and given back when the password was right, so a burst
 * of parallel guesses gets exactly the allowed number of checks.
 *
 * Hard refusals count per (address, client) and per client: someone else's failures never lock the
 * owner out of their own account from their own client. Per address alone, attempts are only slowed
 * down (a delay doubling from 1 s up to 10 s), which is what stops a guesser spread over many clients.
 */
@Injectable()
export class LoginThrottleService {
  constructor(private readonly counters: RateCounterService) {}

  private keys(email: string, ip: string) {
    const address = hashAddress(email);
    const client = hashClient(ip);
    return { pair: `login:ac:${address}:${client}`, client: `login:c:${client}`, address: `login:a:${address}` };
  }

  async begin(email: string, ip: string): Promise<LoginTicket> {
    const k = this.keys(email, ip);
    const fromClient = await this.counters.take(k.client, LOGIN_WINDOW_MS);
    if (fromClient.count > MAX_PER_CLIENT) return { ok: false, retryAfter: fromClient.resetInSeconds };
    const pair = await this.counters.take(k.pair, LOGIN_WINDOW_MS);
    if (pair.count > MAX_PER_ADDRESS_AND_CLIENT) {
      // refused unchecked: it does not use up the client's budget for other addresses
      await this.counters.giveBack(k.client);
      return { ok: false, retryAfter: pair.resetInSeconds };
    }
    const address = await this.counters.take(k.address, LOGIN_WINDOW_MS);
    const over = address.count - SLOW_AFTER;
    const delayMs = over > 0 ? Math.min(MAX_DELAY_MS, 1000 * 2 ** (over - 1)) : 0;
    return {
      ok: true,
      delayMs,
      giveBack: async () => {
        await this.counters.giveBack(k.client);
        await this.counters.clear([k.pair, k.address]);
      },
    };
  }

  /** After a password reset the address starts afresh, from every client. */
  async clearAddress(email: string): Promise<void> {
    const address = hashAddress(email);
    await this.counters.clear([`login:a:${address}`], `login:ac:${address}:`);
  }
}
