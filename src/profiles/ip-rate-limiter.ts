/**
 * Fixed one-minute windows per client IP, in memory. Enough to keep one scraper from hammering the
 * public profile API on one instance; with several instances each one counts on its own.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export class IpRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 50_000,
  ) {}

  take(ip: string, now = Date.now()): RateDecision {
    let w = this.windows.get(ip);
    if (!w || now - w.start >= this.windowMs) {
      this.windows.delete(ip);
      w = { start: now, count: 0 };
      this.windows.set(ip, w);
      if (this.windows.size > this.maxKeys) this.prune(now);
    }
    w.count++;
    const resetSeconds = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    return { allowed: w.count <= this.limit, limit: this.limit, remaining: Math.max(0, this.limit - w.count), resetSeconds };
  }

  private prune(now: number) {
    for (const [ip, w] of this.windows) {
      if (now - w.start < this.windowMs && this.windows.size <= this.maxKeys) break;
      this.windows.delete(ip);
    }
  }
}
