import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { ManagedRedis } from '../redis/managed-redis';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

// One round trip: count the hit, start the window on the first one, report the window's rest.
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { hits, ttl }
`;

/**
 * Rate-limit counters in Redis, so every instance behind a load balancer shares one limit per key.
 * A fixed window of `ttl` starting at the first request; over the limit, the rest of the window blocks.
 *
 * Fails open: while Redis is unreachable (or a command fails or times out) the same window is
 * counted in this process instead, so the API keeps answering with per-instance limits; once the
 * client is connected again the shared counters take over. The outage is logged once by
 * ManagedRedis, never per request.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly client: Redis & { devhubHit(k: string, ttl: number): Promise<[number, number]> };

  constructor(
    private readonly redis: ManagedRedis,
    private readonly fallback = new MemoryThrottlerStorage(),
    private readonly prefix = 'devhub:rl:',
  ) {
    redis.client.defineCommand('devhubHit', { numberOfKeys: 1, lua: SCRIPT });
    this.client = redis.client as typeof this.client;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    if (!this.redis.isUp) return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    let hits: number;
    let pttl: number;
    try {
      [hits, pttl] = await this.client.devhubHit(`${this.prefix}${throttlerName}:${key}`, ttl);
    } catch (err) {
      this.redis.commandFailed(err);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    const seconds = Math.max(1, Math.ceil(pttl / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }

  /** The client itself is closed by RedisConnections, after the HTTP server. */
  onApplicationShutdown() {
    this.fallback.onApplicationShutdown();
  }
}
