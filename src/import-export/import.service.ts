import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, LessThan } from 'typeorm';
import { Clock } from '../common/clock';
import { SentryReporter } from '../common/errors/sentry-reporter';
import { yieldToEventLoop } from '../common/event-loop';
import { FormError } from '../common/forms/validate-form';
import { ContactsService } from '../contacts/contacts.service';
import { isId } from '../contacts/crm.errors';
import { TransactionService } from '../database/transaction.service';
import { TagsService } from '../tags/tags.service';
import { DetectedColumn, ImportDocument } from './import-document';
import { ImportParser } from './import-parser';
import { ImportError } from './import-export.errors';
import { IMPORT_MAX_BYTES, PENDING_IMPORT_TTL_MS, PREVIEW_DETAIL_ROWS, PREVIEW_ROWS } from './import-limits';
import { ExistingContact, ImportPlan, planImport, PlannedRow, SKIP_LABELS, SkipCategory } from './import-planner';
import { OwnedRowsReader } from './owned-rows.reader';
import { PendingImport } from './pending-import.entity';

/** The parts of a multer file the import reads (multer's own types are not installed). */
export interface UploadedFileLike {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

export interface ImportPreview {
  id: string;
  filename: string;
  format: string;
  formatLabel: string;
  uploadedAt: string;
  expiresAt: string;
  columns: DetectedColumn[];
  total: number;
  counts: ImportPlan['counts'];
  skippedBy: Array<{ category: SkipCategory; label: string; count: number }>;
  firstRows: PlannedRow[];
  skipped: PlannedRow[];
  skippedMore: number;
  merged: PlannedRow[];
  mergedMore: number;
  canImport: boolean;
}

export interface ImportResult {
  created: number;
  /** existing contacts that gained details or tags */
  updated: number;
  skipped: number;
}

/** Merges (one contact each) between two turns of the event loop for other requests. */
const MERGE_YIELD_EVERY = 25;

/**
 * Contact import: upload → preview (nothing written but the pending file) → confirm, which
 * applies every row through ContactsService / TagsService inside ONE transaction, so a failure
 * anywhere leaves the account exactly as it was.
 */
@Injectable()
export class ImportService {
  private readonly logger = new Logger('Import');

  constructor(
    private readonly tx: TransactionService,
    private readonly contacts: ContactsService,
    private readonly tags: TagsService,
    private readonly reader: OwnedRowsReader,
    private readonly clock: Clock,
    private readonly errors: SentryReporter,
    private readonly parser: ImportParser,
  ) {}

  /**
   * Checks and parses the file (in a worker thread: see ImportParser), plans the preview once, and
   * keeps both server-side; returns the pending import's id.
   */
  async upload(userId: string, file: UploadedFileLike | undefined): Promise<string> {
    if (!file || !file.originalname) throw new ImportError('no_file', 'Choose a file to import.');
    if (file.size > IMPORT_MAX_BYTES || file.buffer.length > IMPORT_MAX_BYTES) throw tooLarge();
    const filename = file.originalname.replace(/[\u0000-\u001f\u007f]/g, '').slice(-255);
    const { text, doc } = await this.parser.parseUpload(file.buffer, filename);
    const id = randomUUID();
    const createdAt = this.clock.now();
    const preview = await this.buildPreview(userId, { id, filename, createdAt }, doc);
    await this.tx.run(async (m) => {
      const repo = m.getRepository(PendingImport);
      // one pending upload per user, and nobody's expired uploads linger
      await repo.delete({ userId });
      await repo.delete({ createdAt: LessThan(this.expiryCutoff()) });
      await repo.insert({ id, userId, format: doc.format, filename, content: text, preview: JSON.stringify(preview), createdAt });
    });
    return id;
  }

  /** The preview made at upload: showing it again is a read, not another parse. */
  async preview(userId: string, id: string): Promise<ImportPreview> {
    const pending = await this.load(this.tx.manager, userId, id);
    if (pending.preview) return JSON.parse(pending.preview) as ImportPreview;
    // an upload from before previews were kept: parsed (off the event loop) and kept now
    const preview = await this.buildPreview(userId, pending, await this.parser.parseText(pending.content, pending.filename));
    await this.tx.run((m) => m.getRepository(PendingImport).update({ id: pending.id, userId }, { preview: JSON.stringify(preview) }));
    return preview;
  }

  private async buildPreview(userId: string, pending: { id: string; filename: string; createdAt: Date }, doc: ImportDocument): Promise<ImportPreview> {
    const plan = await planImport(doc.records, await this.existingContacts(userId));
    const skipped = plan.rows.filter((r) => r.action === 'skip');
    const merged = plan.rows.filter((r) => r.action === 'merge');
    return {
      id: pending.id,
      filename: pending.filename,
      format: doc.format,
      formatLabel: doc.formatLabel,
      uploadedAt: new Date(pending.createdAt).toISOString(),
      expiresAt: new Date(new Date(pending.createdAt).getTime() + PENDING_IMPORT_TTL_MS).toISOString(),
      columns: doc.columns,
      total: doc.records.length,
      counts: plan.counts,
      skippedBy: (Object.keys(plan.skippedBy) as SkipCategory[]).filter((c) => plan.skippedBy[c] > 0).map((c) => ({ category: c, label: SKIP_LABELS[c], count: plan.skippedBy[c] })),
      firstRows: plan.rows.slice(0, PREVIEW_ROWS),
      skipped: skipped.slice(0, PREVIEW_DETAIL_ROWS),
      skippedMore: Math.max(0, skipped.length - PREVIEW_DETAIL_ROWS),
      merged: merged.slice(0, PREVIEW_DETAIL_ROWS),
      mergedMore: Math.max(0, merged.length - PREVIEW_DETAIL_ROWS),
      canImport: plan.counts.create + plan.counts.merge > 0,
    };
  }

  /**
   * Applies the import. The plan is made again inside the transaction (against the contacts as
   * they are now), the pending file is consumed in the same transaction (a double submit finds
   * nothing), and any error rolls everything back.
   */
  async confirm(userId: string, id: string): Promise<ImportResult> {
    // where the import was when it failed, for the message: "line 7" or "lines 2–251"
    let at = '';
    const lines = (first: number, last: number) => (first === last ? `line ${first}` : `lines ${first}–${last}`);
    try {
      // parsed in the worker before the transaction starts (an upload's content never changes)
      const unparsed = await this.load(this.tx.manager, userId, id);
      const doc = await this.parser.parseText(unparsed.content, unparsed.filename);
      return await this.tx.run(async (m) => {
        const pending = await this.load(m, userId, id);
        const deleted = await m.getRepository(PendingImport).delete({ id: pending.id, userId });
        if (!deleted.affected) throw notFound();
        const plan = await planImport(doc.records, await this.existingContacts(userId));

        const tagRefs = await this.tags.ensureNamed(userId, [...plan.creates.flatMap((c) => c.tags), ...plan.merges.flatMap((x) => x.tags)]);
        const refsOf = (names: string[]) => names.map((n) => tagRefs.get(n.toLowerCase())!);

        // new contacts in batches, each contact.created event already carrying its tags
        await this.contacts.createMany(
          m,
          userId,
          plan.creates.map((c) => ({ input: c.input, tags: refsOf(c.tags) })),
          (first, last) => (at = lines(plan.creates[first]!.lines[0]!, plan.creates[last]!.lines[0]!)),
        );
        for (const [i, merge] of plan.merges.entries()) {
          at = lines(merge.lines[0]!, merge.lines[0]!);
          for (const tag of refsOf(merge.tags)) await this.contacts.linkTag(m, merge.contactId, tag.id);
          // mergeInput fills exactly the empty fields the plan found, appends the notes, and records contact.updated with the tags
          await this.contacts.mergeInput(userId, merge.contactId, { name: merge.name, ...merge.patch });
          if (i % MERGE_YIELD_EVERY === MERGE_YIELD_EVERY - 1) await yieldToEventLoop();
        }
        return { created: plan.creates.length, updated: plan.merges.length, skipped: plan.counts.skip };
      });
    } catch (err) {
      if (err instanceof ImportError) throw err;
      this.logger.error(`import ${id} failed at ${at || 'the start'}: ${err instanceof Error ? err.message : String(err)}`, err instanceof Error ? err.stack : undefined);
      // the user gets the friendly 500 page below; Sentry gets what actually went wrong
      if (!(err instanceof FormError)) this.errors.report(err, { tags: { import_id: id } });
      const detail = err instanceof FormError ? ` (${err.message})` : '';
      throw new ImportError(
        'failed',
        at
          ? `The import stopped at ${at}${detail}, so nothing was imported: your contacts are exactly as they were. You can try again; if it keeps failing, check ${at.startsWith('lines') ? 'those rows (they were written together), or import them as a file of their own' : 'that row, or remove it from the file'}.`
          : `The import failed before its first row${detail}, so nothing was imported: your contacts are exactly as they were. Please try again.`,
      );
    }
  }

  async cancel(userId: string, id: string): Promise<void> {
    if (!isId(id)) return;
    await this.tx.run((m) => m.getRepository(PendingImport).delete({ id, userId }));
  }

  /** Deletes expired uploads (for the cleanup-old-data job; uploads also sweep on the way). */
  async purgeExpired(): Promise<number> {
    const res = await this.tx.run((m) => m.getRepository(PendingImport).delete({ createdAt: LessThan(this.expiryCutoff()) }));
    return res.affected ?? 0;
  }

  private expiryCutoff(): Date {
    return new Date(this.clock.now().getTime() - PENDING_IMPORT_TTL_MS);
  }

  private async load(m: EntityManager, userId: string, id: string): Promise<PendingImport> {
    if (!isId(id)) throw notFound();
    const row = await m.getRepository(PendingImport).findOne({ where: { id, userId } });
    if (!row) throw notFound();
    if (new Date(row.createdAt).getTime() < this.expiryCutoff().getTime()) {
      throw new ImportError('expired', 'This upload has expired: files wait an hour for your confirmation. Upload the file again to import it.');
    }
    return row;
  }

  /** Every contact of the user with its tags (inside confirm's transaction, the state it writes on). */
  private async existingContacts(userId: string): Promise<ExistingContact[]> {
    const all: ExistingContact[] = [];
    for await (const c of this.reader.contacts(userId)) all.push(c);
    return all;
  }
}

const tooLarge = () => new ImportError('too_large', `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into smaller files and import them one after the other.`);
const notFound = () => new ImportError('not_found', 'This import was not found: it has been imported or cancelled already.');
export { tooLarge as importTooLargeError };
