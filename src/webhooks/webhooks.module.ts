import { Module } from '@nestjs/common';
import { systemResolverProvider, WebhookSender } from './webhook-sender';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookFanOut } from './webhook-fan-out';
import { WebhooksApiController } from './webhooks-api.controller';
import { WebhooksController } from './webhooks.controller';
import { WebhooksJob } from './webhooks.job';
import { WebhooksService } from './webhooks.service';

@Module({
  controllers: [WebhooksController, WebhooksApiController],
  providers: [systemResolverProvider, WebhookSender, WebhooksService, WebhookFanOut, WebhookDispatcher, WebhooksJob],
  exports: [WebhooksService, WebhookDispatcher],
})
export class WebhooksModule {}
