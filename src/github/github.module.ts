import { Module, OnModuleInit } from '@nestjs/common';
import { AGENT_INSIGHT_SOURCE } from '../agent/insight-source';
import { AuthModule } from '../auth/auth.module';
import { ContactPageSections } from '../contacts/contact-page-sections';
import { ContactsModule } from '../contacts/contacts.module';
import { JobsService } from '../jobs/jobs.service';
import { GithubApiControllers } from './github-api.controller';
import { GithubClient, OctokitGithubClient } from './github-client';
import { GithubController } from './github.controller';
import { GithubFetcher } from './github-fetcher.service';
import { GITHUB_JOB_API, GithubJobsService } from './github-jobs.service';
import { GithubPagesService } from './github-pages.service';
import { GithubSyncService } from './github-sync.service';
import { InsightsService } from './insights.service';

/**
 * GitHub: the sync (src/github/README.md), insights, /insights, /settings/github, the contact
 * page's GitHub card and the API's /api/insights and /api/sync. Depends on contacts and auth;
 * nothing depends on it but the dashboard and (through AGENT_INSIGHT_SOURCE) the digest.
 */
@Module({
  imports: [AuthModule, ContactsModule],
  controllers: [GithubController, ...GithubApiControllers],
  providers: [
    { provide: GithubClient, useClass: OctokitGithubClient },
    { provide: GITHUB_JOB_API, useExisting: JobsService },
    GithubFetcher,
    GithubSyncService,
    InsightsService,
    GithubJobsService,
    GithubPagesService,
    { provide: AGENT_INSIGHT_SOURCE, useExisting: InsightsService },
  ],
  exports: [InsightsService, GithubPagesService, GithubSyncService, GithubJobsService, AGENT_INSIGHT_SOURCE],
})
export class GithubModule implements OnModuleInit {
  constructor(
    private readonly sections: ContactPageSections,
    private readonly pages: GithubPagesService,
  ) {}

  onModuleInit() {
    this.sections.add('github', (userId, contactId) => this.pages.contactCard(userId, contactId));
  }
}
