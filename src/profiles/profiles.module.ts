import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ContactsModule } from '../contacts/contacts.module';
import { DnsTxtResolver } from './dns-txt-resolver';
import { ProfilePageRenderer } from './profile-page.renderer';
import { ProfilePagesService } from './profile-pages.service';
import { ProfileSettingsController } from './profile-settings.controller';
import { ProfilesApiController } from './profiles-api.controller';
import { MyProfileApiController } from './my-profile-api.controller';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';
import { PublicProfileEdge } from './public-edge';
import { PublicProfileController } from './public-profile.controller';
import { PublicProfilesService } from './public-profiles.service';
import { QrCodeService } from './qr-code.service';
import { SitemapController } from './sitemap.controller';
import { SitemapService } from './sitemap.service';

/** Public profiles: the editor, `/@username` and its vCard/QR/JSON, sitemap, custom domains. */
@Module({
  imports: [AnalyticsModule, ContactsModule],
  controllers: [ProfileSettingsController, PublicProfileController, ProfilesApiController, SitemapController, MyProfileApiController],
  providers: [
    ProfilesRepository,
    ProfilesService,
    PublicProfilesService,
    ProfilePagesService,
    ProfilePageRenderer,
    QrCodeService,
    DnsTxtResolver,
    SitemapService,
    PublicProfileEdge,
  ],
  exports: [ProfilesService, PublicProfilesService, PublicProfileEdge],
})
export class ProfilesModule {}
