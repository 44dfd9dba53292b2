import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { ViewRecorder } from './view-recorder.service';
import { VisitorHasher } from './visitor-hasher.service';

/** Profile view counting (buffered) and the owner's /analytics page. */
@Module({
  controllers: [AnalyticsController],
  providers: [AnalyticsService, ViewRecorder, VisitorHasher],
  exports: [ViewRecorder],
})
export class AnalyticsModule {}
