import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ContactsModule } from '../contacts/contacts.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { TagsModule } from '../tags/tags.module';
import { DemoSeedService } from './demo-seed.service';

@Module({ imports: [AuthModule, ContactsModule, TagsModule, ProfilesModule], providers: [DemoSeedService], exports: [DemoSeedService] })
export class SeedModule {}
