import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ImportDocument } from './import-document';
import { ImportError, ImportErrorCode } from './import-export.errors';

export interface ParseRequest {
  id: number;
  filename: string;
  /** the uploaded bytes (decoded in the worker) … */
  bytes?: Uint8Array;
  /** … or text decoded earlier (a pending import being confirmed) */
  text?: string;
}

export type ParseReply =
  | { id: number; ok: true; text?: string; doc: ImportDocument }
  | { id: number; ok: false; code: ImportErrorCode; message: string; unexpected?: boolean };

/** A parse that takes longer is stopped (the worker is replaced): the limits make 5 MB take ~1 s. */
const PARSE_TIMEOUT_MS = 30_000;
/** The worker's own heap: a file that would need more fails alone instead of growing the server. */
const WORKER_HEAP_MB = 256;

// import-parse.worker.js next to this file when built; the .ts source under jest or swc-register
const WORKER_FILE = join(__dirname, `import-parse.worker${extname(__filename)}`);
const SWC_OPTIONS = {
  jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true },
  module: { type: 'commonjs' },
};

function spawnWorker(): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  if (!WORKER_FILE.endsWith('.ts')) return new Worker(WORKER_FILE, options);
  // running from the TypeScript sources: the worker compiles its imports with SWC, as the test runner does
  const boot = `
    const fs = require('node:fs');
    const { transformSync } = require('@swc/core');
    require.extensions['.ts'] = function (module, filename) {
      module._compile(transformSync(fs.readFileSync(filename, 'utf8'), { filename, ...${JSON.stringify(SWC_OPTIONS)} }).code, filename);
    };
    require(${JSON.stringify(WORKER_FILE)});`;
  return new Worker(boot, { ...options, eval: true });
}

interface Job {
  resolve: (r: { text: string; doc: ImportDocument }) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  text?: string;
}

/**
 * Parses uploads in one long-lived worker thread, one file at a time, so a big or hostile file
 * never holds up the event loop that answers every other request. A worker that crashes (out of
 * its heap) or overruns the deadline is replaced; only its own upload fails.
 */
@Injectable()
export class ImportParser implements OnApplicationShutdown {
  private readonly logger = new Logger('ImportParser');
  private worker?: Worker;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  /** Decodes and parses an uploaded file; rejects with the ImportError to show. */
  parseUpload(bytes: Buffer, filename: string): Promise<{ text: string; doc: ImportDocument }> {
    return this.enqueue({ filename, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  }

  /** Parses text decoded earlier (a pending import). */
  async parseText(text: string, filename: string): Promise<ImportDocument> {
    return (await this.enqueue({ filename, text })).doc;
  }

  private enqueue(req: Omit<ParseRequest, 'id'>): Promise<{ text: string; doc: ImportDocument }> {
    const run = () => this.run(req);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private run(req: Omit<ParseRequest, 'id'>): Promise<{ text: string; doc: ImportDocument }> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failAll(new ImportError('limits', 'Reading this file took too long, so it was stopped. Nothing was imported. Split it into smaller files.'));
        void worker.terminate();
      }, PARSE_TIMEOUT_MS);
      this.jobs.set(id, { resolve, reject, timer, text: req.text });
      worker.postMessage({ ...req, id } satisfies ParseRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker();
    worker.unref();
    worker.on('message', (reply: ParseReply) => {
      const job = this.jobs.get(reply.id);
      if (!job) return;
      this.jobs.delete(reply.id);
      clearTimeout(job.timer);
      if (reply.ok) return job.resolve({ text: reply.text ?? job.text ?? '', doc: reply.doc });
      if (reply.unexpected) return job.reject(new Error(`import parser: ${reply.message}`));
      job.reject(new ImportError(reply.code, reply.message));
    });
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.logger.error(`import parser worker failed: ${err.message}`);
      const tooBig = /heap|memory/i.test(err.message);
      this.failAll(tooBig ? new ImportError('limits', 'This file needs more memory to read than DevHub allows, so nothing was imported. Split it into smaller files.') : err);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.failAll(new Error('import parser worker exited'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error) {
    this.worker = undefined;
    for (const [id, job] of this.jobs) {
      clearTimeout(job.timer);
      job.reject(err);
      this.jobs.delete(id);
    }
  }

  async onApplicationShutdown() {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
