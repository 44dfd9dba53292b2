import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

interface Window {
  hits: number;
  expiresAt: number;
}

/**
 * Rate-limit counters in this process (no REDIS_URL): the same fixed window as
 * RedisThrottlerStorage, starting at a key's first request; over the limit, the rest of the window
 * is refused. O(1) per request, where @nestjs/throttler's default store keeps one timestamp per hit
 * and filters them all on every request (tens of thousands with a paid key under load).
 */
export class MemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    sweepEveryMs = 60_000,
    /** counters kept at most: past it, the oldest window goes (a flood of new clients cannot grow it) */
    private readonly maxKeys = 100_000,
  ) {
    this.sweep = setInterval(() => this.evictExpired(), sweepEveryMs);
    this.sweep.unref();
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string) {
    const id = `${throttlerName}:${key}`;
    const now = Date.now();
    let w = this.windows.get(id);
    if (!w || w.expiresAt <= now) {
      // re-inserted, so the Map's order stays the order in which windows started
      this.windows.delete(id);
      w = { hits: 0, expiresAt: now + ttl };
      this.windows.set(id, w);
      if (this.windows.size > this.maxKeys) this.shrink();
    }
    w.hits++;
    const seconds = Math.max(1, Math.ceil((w.expiresAt - now) / 1000));
    const isBlocked = w.hits > limit;
    return { totalHits: w.hits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }

  /** Drops the window that started first: with one window length for all, it ends first too. O(1). */
  private shrink() {
    const oldest = this.windows.keys().next();
    if (!oldest.done) this.windows.delete(oldest.value);
  }

  private evictExpired(now = Date.now()) {
    for (const [id, w] of this.windows) if (w.expiresAt <= now) this.windows.delete(id);
  }

  onApplicationShutdown() {
    clearInterval(this.sweep);
    this.windows.clear();
  }
}
