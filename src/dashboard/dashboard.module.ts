import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AuthModule } from '../auth/auth.module';
import { ContactsModule } from '../contacts/contacts.module';
import { GithubModule } from '../github/github.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({ imports: [ContactsModule, AuthModule, ProfilesModule, ApiKeysModule, GithubModule, AgentModule], controllers: [DashboardController], providers: [DashboardService] })
export class DashboardModule {}
