import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { ViewRecorder } from './view-recorder.service';
import { VisitorHasher } from './visitor-hasher.service';
import { ViewRollupService } from './view-rollup.service';

/** Profile view counting (buffered) and the owner's /analytics page. */
@Module({
  controllers: [AnalyticsController],
  providers: [AnalyticsService, ViewRecorder, VisitorHasher, ViewRollupService],
  exports: [ViewRecorder],
})
export class AnalyticsModule {}
