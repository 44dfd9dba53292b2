import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ContactsModule } from '../contacts/contacts.module';
import { DueFollowUpsJob } from './due-follow-ups.job';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

@Global()
@Module({ imports: [AuthModule, ContactsModule], controllers: [NotificationsController], providers: [NotificationsService, DueFollowUpsJob], exports: [NotificationsService] })
export class NotificationsModule {}
