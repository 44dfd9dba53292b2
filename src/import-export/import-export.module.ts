import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ContactsModule } from '../contacts/contacts.module';
import { TagsModule } from '../tags/tags.module';
import { AccountExportRegistry } from './account-export.registry';
import { ContactVCardController, ExportController } from './export.controller';
import { ExportService } from './export.service';
import { ImportController } from './import.controller';
import { ImportParser } from './import-parser';
import { ImportService } from './import.service';
import { OwnedRowsReader } from './owned-rows.reader';

/** CSV / vCard import with a preview, CSV / vCard / JSON export (settings → account). */
@Module({
  imports: [AuthModule, ContactsModule, TagsModule],
  controllers: [ImportController, ExportController, ContactVCardController],
  providers: [ImportService, ExportService, AccountExportRegistry, OwnedRowsReader, ImportParser],
  exports: [ImportService, AccountExportRegistry],
})
export class ImportExportModule {}
