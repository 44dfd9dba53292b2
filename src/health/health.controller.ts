import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthService } from './health.service';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is up. */
  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok' };
  }

  /** The database answers, can store a change and every migration has been applied; Redis is reported, never fatal. */
  @Get('readyz')
  async readyz(@Res() res: Response) {
    const report = await this.health.readiness();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }
}
