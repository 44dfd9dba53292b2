import { forwardRef, Module } from '@nestjs/common';
import { TagsModule } from '../tags/tags.module';
import { CadenceService } from './cadence.service';
import { ContactPageSections } from './contact-page-sections';
import { ContactPagesService } from './contact-pages.service';
import { ContactSignalsService } from './contact-signals.service';
import { ContactsApiController, FollowUpsApiController, InteractionsApiController } from './contacts-api.controller';
import { ContactsController, InteractionsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';
import { FollowUpsController } from './follow-ups.controller';
import { FollowUpsService } from './follow-ups.service';
import { InteractionsService } from './interactions.service';

@Module({
  imports: [forwardRef(() => TagsModule)],
  controllers: [ContactsController, InteractionsController, FollowUpsController, ContactsApiController, InteractionsApiController, FollowUpsApiController],
  providers: [ContactsRepository, ContactsService, CadenceService, InteractionsService, FollowUpsService, ContactPagesService, ContactPageSections, ContactSignalsService],
  exports: [ContactsService, InteractionsService, FollowUpsService, ContactPageSections, ContactSignalsService],
})
export class ContactsModule {}
