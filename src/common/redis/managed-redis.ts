import { Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';

export type RedisState = 'connecting' | 'up' | 'down';

/** Only what a log line may say about a Redis URL: host, port and database, never the password. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'redis';
  }
}

/**
 * An ioredis client that never takes the instance down: exactly one 'error' handler, one warning
 * when an outage starts and one line when it ends (never one per command or per reconnect
 * attempt), and `state` for /readyz and for callers that fall back while Redis is away.
 *
 * Defaults fail fast: no offline queue (a command while disconnected rejects at once instead of
 * waiting), one retry, a 1 s command timeout (a Redis that stops answering without closing the
 * socket does not hold requests), and reconnects forever with a backoff capped at 2 s. BullMQ
 * workers need `maxRetriesPerRequest: null` and `enableOfflineQueue: true`: pass them in `options`.
 */
export class ManagedRedis {
  readonly client: Redis;
  private current: RedisState = 'connecting';
  private downSince: number | null = null;
  private readonly listeners = new Set<(state: RedisState) => void>();
  private closed = false;

  constructor(
    readonly name: string,
    url: string,
    options: RedisOptions = {},
    private readonly logger: Pick<Logger, 'warn' | 'log'> = new Logger('Redis'),
  ) {
    this.client = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 1000,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
      ...options,
    });
    const where = describeRedisUrl(url);
    this.client.on('ready', () => {
      if (this.downSince !== null) {
        const seconds = ((Date.now() - this.downSince) / 1000).toFixed(1);
        // at the outage's level, so whoever saw it start sees it end
        this.logger.warn(`Redis (${this.name}, ${where}) is back after ${seconds} s`);
      }
      this.downSince = null;
      this.set('up');
    });
    // the one 'error' handler: without it ioredis prints every failed attempt as an unhandled error
    this.client.on('error', (err: Error & { code?: string }) => this.markDown(`${err.code ?? err.name}: ${err.message}`, where));
    this.client.on('close', () => {
      if (!this.closed && this.current === 'up') this.markDown('connection closed', where);
    });
  }

  get state(): RedisState {
    return this.current;
  }

  get isUp(): boolean {
    return this.current === 'up';
  }

  /** Called with every change of state (e.g. to switch a fallback on and off). */
  onStateChange(listener: (state: RedisState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A command failed although the client thought it was connected (a timeout, a cut link): an outage. */
  commandFailed(err: unknown) {
    const e = err as { code?: string; name?: string; message?: string };
    this.markDown(`${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, 'command');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    try {
      await Promise.race([this.client.quit(), new Promise((r) => setTimeout(r, 500).unref())]);
    } catch {
      // quitting a client that never connected rejects; nothing to close then
    }
    this.client.disconnect();
  }

  private markDown(cause: string, where: string) {
    if (this.closed) return;
    if (this.downSince === null) {
      this.downSince = Date.now();
      this.logger.warn(`Redis (${this.name}, ${where}) unreachable (${cause}); carrying on without it until it returns`);
    }
    this.set('down');
  }

  private set(state: RedisState) {
    if (state === this.current) return;
    this.current = state;
    for (const l of this.listeners) l(state);
  }
}
