import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { EncryptionService } from './crypto/encryption.service';
import { MailerService } from './mail/mailer.service';

/** Cross-cutting providers every feature may inject. */
@Global()
@Module({
  providers: [Clock, EncryptionService, MailerService],
  exports: [Clock, EncryptionService, MailerService],
})
export class CommonModule {}
