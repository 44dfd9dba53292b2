import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.schema';
import { ManagedRedis, RedisState } from './managed-redis';

/**
 * Every Redis client of the process, made on REDIS_URL through ManagedRedis (one 'error' handler,
 * one log line per outage), reported by /readyz and closed last at shutdown.
 *
 *   const redis = connections.create('jobs', { maxRetriesPerRequest: null, enableOfflineQueue: true });
 *   if (redis.isUp) ...; redis.onStateChange((s) => ...);
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly clients = new Set<ManagedRedis>();
  private readonly logger = new Logger('Redis');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.redisUrl);
  }

  /** A new client on REDIS_URL; throws when it is not set (check `enabled` first). */
  create(name: string, options: RedisOptions = {}): ManagedRedis {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    const client = new ManagedRedis(name, this.config.redisUrl, options, this.logger);
    this.clients.add(client);
    return client;
  }

  /** Each client's state, for /readyz. */
  states(): Array<{ name: string; state: RedisState }> {
    return [...this.clients].map((c) => ({ name: c.name, state: c.state }));
  }

  async onApplicationShutdown() {
    await Promise.all([...this.clients].map((c) => c.close()));
    this.clients.clear();
  }
}
