import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { writeChunk } from '../common/http/write-chunk';

/** A file answer whose body is produced piece by piece. */
export interface Download {
  filename: string;
  contentType: string;
  body: AsyncIterable<string>;
}

const CHUNK = 64 * 1024;

/** attachment; filename="ascii"; filename*=UTF-8''utf-8 (RFC 6266), so any name survives every browser. */
export function contentDisposition(filename: string): string {
  const ascii = filename.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '').trim() || 'download';
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Streams a download with backpressure: pieces are batched into ~64 KB writes and the next
 * batch waits for the socket to drain, so 20,000 contacts never sit in memory at once. The
 * first piece is produced before the headers go out, so an error there still gets an error
 * page; an error later cuts the connection (the file is visibly incomplete, never silently short).
 */
export async function sendDownload(res: Response, download: Download): Promise<void> {
  const it = download.body[Symbol.asyncIterator]();
  let next = await it.next();
  res.status(200);
  res.setHeader('Content-Type', download.contentType);
  res.setHeader('Content-Disposition', contentDisposition(download.filename));
  res.setHeader('Cache-Control', 'private, no-store');
  let open = true;
  let buffer = '';
  const flush = async () => {
    if (!buffer) return;
    open = await writeChunk(res, buffer);
    buffer = '';
  };
  try {
    while (!next.done) {
      if (!open) {
        await it.return?.();
        return;
      }
      buffer += next.value;
      if (buffer.length >= CHUNK) await flush();
      next = await it.next();
    }
    await flush();
    res.end();
  } catch (err) {
    // the status line is gone: cutting the connection is the only way to say the file is incomplete
    new Logger('Download').error(`${download.filename} failed after the headers were sent: ${err instanceof Error ? err.message : String(err)}`);
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
