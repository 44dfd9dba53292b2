import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateColumn } from '../database/column-types';

/**
 * An uploaded file between its preview and the user's confirmation. The file itself is kept
 * here, so the confirmation imports exactly what was previewed and nothing travels back through
 * the browser. Rows expire after PENDING_IMPORT_TTL_MS.
 */
@Entity('pending_imports')
export class PendingImport {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** "csv:google", "csv:linkedin", "csv:devhub", "csv:generic" or "vcard" */
  @Column({ type: 'varchar', length: 20 })
  format: string;

  @Column({ type: 'varchar', length: 255 })
  filename: string;

  /** the decoded file (UTF-8 text) */
  @Column({ type: 'text' })
  content: string;

  /** the preview (ImportPreview as JSON), computed once at upload */
  @Column({ type: 'text', nullable: true })
  preview: string | null;

  @DateColumn({ name: 'created_at' })
  createdAt: Date;
}
