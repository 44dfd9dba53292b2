import { timingSafeEqual, createHash } from 'node:crypto';
import { Controller, Get, Headers, HttpException, HttpStatus, Inject, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { MetricsService } from './metrics.service';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /metrics: 404 without METRICS_TOKEN, 401 without the right bearer token. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') auth: string | undefined, @Res() res: Response) {
    const token = this.config.metricsToken;
    if (!token) throw new NotFoundException();
    const presented = /^Bearer (.+)$/.exec(auth ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(presented), digest(token))) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpException('A valid metrics token is required.', HttpStatus.UNAUTHORIZED);
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await this.metrics.text());
  }
}
