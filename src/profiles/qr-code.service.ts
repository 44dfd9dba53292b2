import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import { escapeMarkup } from '../common/views/escape';

export interface QrImage {
  body: Buffer;
  etag: string;
}

const MAX_ENTRIES = 2000;

/**
 * QR codes of profile URLs, generated with `qrcode` and kept in memory. A QR code depends only on
 * the URL it encodes, so the URL is the cache key: changing the username changes the URL and so
 * the entry; other profile edits do not change the picture. Least recently used entries go first.
 */
@Injectable()
export class QrCodeService {
  private readonly cache = new Map<string, Promise<QrImage>>();

  svg(url: string): Promise<QrImage> {
    return this.cached(`svg ${url}`, async () =>
      Buffer.from(await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } })),
    );
  }

  png(url: string): Promise<QrImage> {
    return this.cached(`png ${url}`, () => QRCode.toBuffer(url, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' }));
  }

  /** The SVG for inlining into a page, labelled for screen readers. */
  async inlineSvg(url: string, label: string): Promise<string> {
    const { body } = await this.svg(url);
    const safeLabel = escapeMarkup(label);
    return body.toString('utf8').replace('<svg ', `<svg class="qr-svg" role="img" aria-label="${safeLabel}" `);
  }

  private cached(key: string, make: () => Promise<Buffer>): Promise<QrImage> {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const entry = make().then((body) => ({ body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` }));
    entry.catch(() => this.cache.delete(key));
    this.cache.set(key, entry);
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }
}
