import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { EncryptionService } from './crypto/encryption.service';
import { SentryReporter } from './errors/sentry-reporter';
import { MailerService } from './mail/mailer.service';
import { RateCounterService } from './rate/rate-counter.service';
import { RedisConnections } from './redis/redis-connections';

/** Cross-cutting providers every feature may inject. */
@Global()
@Module({
  providers: [Clock, EncryptionService, MailerService, SentryReporter, RateCounterService, RedisConnections],
  exports: [Clock, EncryptionService, MailerService, SentryReporter, RateCounterService, RedisConnections],
})
export class CommonModule {}
