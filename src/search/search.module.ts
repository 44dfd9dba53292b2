import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { TagsModule } from '../tags/tags.module';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';

@Module({ imports: [ContactsModule, TagsModule], controllers: [SearchController], providers: [SearchService] })
export class SearchModule {}
