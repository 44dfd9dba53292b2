import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ProfileNotFoundException } from './profiles.errors';
import { SitemapService, type SitemapSink } from './sitemap.service';
import { writeChunk } from '../common/http/write-chunk';

@Controller()
export class SitemapController {
  constructor(private readonly sitemap: SitemapService) {}

  @Get('sitemap.xml')
  async root(@Res() res: Response) {
    await this.stream(res, (sink) => this.sitemap.writeRoot(sink));
  }

  @Get('sitemaps/profiles-:n.xml')
  async page(@Res() res: Response, @Param('n') n: string) {
    const page = /^\d{1,6}$/.test(n) ? Number(n) : 0;
    if (!(await this.sitemap.hasPage(page))) throw new ProfileNotFoundException();
    await this.stream(res, (sink) => this.sitemap.writeUrls(sink, page));
  }

  @Get('robots.txt')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  robots(): string {
    return this.sitemap.robots();
  }

  /** Streams the XML as it is read; a failure halfway aborts the response rather than end it looking complete. */
  private async stream(res: Response, write: (sink: SitemapSink) => Promise<void>) {
    res.status(200);
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=300');
    const sink: SitemapSink = {
      write: async (chunk) => {
        if (!(await writeChunk(res, chunk))) throw new Error('client went away');
      },
    };
    try {
      await write(sink);
      res.end();
    } catch (err) {
      if (!res.headersSent) throw err;
      res.destroy(err as Error);
    }
  }
}
