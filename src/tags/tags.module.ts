import { forwardRef, Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { TagsApiController } from './tags-api.controller';
import { TagsController } from './tags.controller';
import { TagsService } from './tags.service';

@Module({
  imports: [forwardRef(() => ContactsModule)],
  controllers: [TagsController, TagsApiController],
  providers: [TagsService],
  exports: [TagsService],
})
export class TagsModule {}
