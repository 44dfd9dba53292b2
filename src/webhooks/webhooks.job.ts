import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { SentryReporter } from '../common/errors/sentry-reporter';

/**
 * Every second: outbox → deliveries, and due deliveries into the dispatcher's pool (the tick does
 * not wait for the sends, so a slow receiver never delays the next tick). Old delivery logs are
 * removed by the cleanup-old-data job. Skipped when JOBS_ENABLED=false; tests call the dispatcher and the service.
 */
@Injectable()
export class WebhooksJob {
  private readonly logger = new Logger('WebhooksJob');
  private running = false;

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly errors: SentryReporter,
  ) {}

  @Interval('deliver-webhooks', 1000)
  async tick(): Promise<void> {
    if (!this.config.jobsEnabled || this.running) return;
    this.running = true;
    try {
      await this.dispatcher.tick();
    } catch (err) {
      this.logger.error(`webhook tick failed: ${err instanceof Error ? err.message : String(err)}`);
      this.errors.report(err, { tags: { job: 'deliver-webhooks' } });
    } finally {
      this.running = false;
    }
  }
}
