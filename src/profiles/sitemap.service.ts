import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { profileUrl } from './profile.views';
import { ProfilesRepository } from './profiles.repository';
import { escapeMarkup } from '../common/views/escape';

/** The sitemap protocol's limit per file. */
export const SITEMAP_MAX_URLS = 50_000;
const BATCH = 1_000;

/** Where the XML goes; `write` resolves when the chunk may be followed by the next (backpressure). */
export interface SitemapSink {
  write(chunk: string): Promise<void>;
}

const w3cDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');

/**
 * `/sitemap.xml` lists every public profile with its last change. Up to 50,000 profiles it is one
 * urlset; past that it becomes a sitemap index of `/sitemaps/profiles-N.xml` files of 50,000 each.
 * Rows are read in keyset pages of 1,000 on the (is_public, username) index and written as they
 * come, so memory stays flat whatever the number of profiles.
 */
@Injectable()
export class SitemapService {
  /** URLs per sitemap file; lowered only by tests that exercise the index without 50,000 rows. */
  urlsPerFile = SITEMAP_MAX_URLS;

  constructor(
    private readonly repo: ProfilesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Writes /sitemap.xml: a urlset, or an index when there are more profiles than fit one file. */
  async writeRoot(out: SitemapSink): Promise<void> {
    const total = await this.repo.countPublic();
    if (total <= this.urlsPerFile) return this.writeUrls(out);
    const files = Math.ceil(total / this.urlsPerFile);
    await out.write('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n');
    for (let i = 1; i <= files; i++) await out.write(`<sitemap><loc>${escapeMarkup(`${this.config.baseUrl}/sitemaps/profiles-${i}.xml`)}</loc></sitemap>\n`);
    await out.write('</sitemapindex>\n');
  }

  /** Whether page `n` (1-based) of the index exists. */
  async hasPage(n: number): Promise<boolean> {
    if (!Number.isInteger(n) || n < 1) return false;
    const total = await this.repo.countPublic();
    return total > this.urlsPerFile && (n - 1) * this.urlsPerFile < total;
  }

  /** Writes one urlset: page `n` of the index, or everything when there is no index. */
  async writeUrls(out: SitemapSink, page?: number): Promise<void> {
    await out.write('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n');
    let bound: { after?: string; from?: string } = {};
    if (page && page > 1) {
      const start = await this.repo.publicUsernameAt((page - 1) * this.urlsPerFile);
      if (start === null) return out.write('</urlset>\n');
      bound = { from: start };
    }
    let left = this.urlsPerFile;
    while (left > 0) {
      const rows = await this.repo.publicPage(bound, Math.min(BATCH, left));
      if (!rows.length) break;
      let chunk = '';
      for (const r of rows) {
        chunk += `<url><loc>${escapeMarkup(profileUrl(this.config.baseUrl, r.username))}</loc><lastmod>${w3cDate(r.updatedAt)}</lastmod></url>\n`;
      }
      await out.write(chunk);
      left -= rows.length;
      if (rows.length < BATCH) break;
      bound = { after: rows[rows.length - 1]!.username };
    }
    await out.write('</urlset>\n');
  }

  robots(): string {
    return [
      'User-agent: *',
      'Allow: /@',
      'Disallow: /api/',
      'Disallow: /settings/',
      'Disallow: /admin',
      'Disallow: /dashboard',
      'Disallow: /contacts',
      'Disallow: /analytics',
      '',
      `Sitemap: ${this.config.baseUrl}/sitemap.xml`,
      '',
    ].join('\n');
  }
}
