import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module';
import { ContactsModule } from '../contacts/contacts.module';
import { GithubModule } from '../github/github.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({ imports: [ContactsModule, GithubModule, AgentModule], controllers: [DashboardController], providers: [DashboardService] })
export class DashboardModule {}
