import { Global, Module } from '@nestjs/common';
import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiAuthGuard, ApiKeyResolveGuard, ApiRequestShapeGuard, ApiThrottlerGuard } from '../common/api/api-guards';
import { ApiRateLimitFallback } from '../common/api/api-rate-limit-fallback';
import type { ApiRequest } from '../common/api/api-request';
import { MemoryThrottlerStorage } from '../common/api/memory-throttler.storage';
import { RedisThrottlerStorage } from '../common/api/redis-throttler.storage';
import { RedisConnections } from '../common/redis/redis-connections';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { AuthModule } from '../auth/auth.module';
import { ApiKey } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { MeApiController } from './me-api.controller';

export const RATE_WINDOW_MS = 60_000;
export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** Redis counters when REDIS_URL is set (closed on shutdown), else a fixed-window store in this process. */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [RedisConnections],
      useFactory: (redis: RedisConnections) => (redis.enabled ? new RedisThrottlerStorage(redis.create('rate-limits')) : new MemoryThrottlerStorage()),
    },
  ],
  exports: [RATE_LIMIT_STORAGE],
})
class RateLimitStorageModule {}

/**
 * API keys and everything every /api route needs (resolution, throttling, auth). Global, so the
 * feature modules' API controllers can use the guards.
 */
@Global()
@Module({
  imports: [
    AuthModule,
    RateLimitStorageModule,
    TypeOrmModule.forFeature([ApiKey]),
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [APP_CONFIG, RATE_LIMIT_STORAGE],
      useFactory: (config: AppConfig, storage: ThrottlerStorage): ThrottlerModuleOptions => ({
        throttlers: [
          {
            name: 'default',
            ttl: RATE_WINDOW_MS,
            // the plan of the key's owner; requests without a valid key get the free limit per IP
            limit: (context: ExecutionContext) => {
              const req = context.switchToHttp().getRequest<ApiRequest>();
              return req.apiPrincipal && req.apiPrincipal.plan !== 'free' ? config.rateLimitPaid : config.rateLimitFree;
            },
          },
        ],
        // one counter per account (or IP) across all routes, not one per route handler
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        storage,
      }),
    }),
  ],
  controllers: [ApiKeysController, MeApiController],
  providers: [ApiKeysService, ApiKeyResolveGuard, ApiThrottlerGuard, ApiAuthGuard, ApiRequestShapeGuard, ApiRateLimitFallback],
  // RATE_LIMIT_STORAGE: the public profile API counts its per-IP limit in the same store
  exports: [ApiKeysService, ApiKeyResolveGuard, ApiThrottlerGuard, ApiAuthGuard, ApiRequestShapeGuard, ApiRateLimitFallback, ThrottlerModule, RateLimitStorageModule],
})
export class ApiKeysModule {}
