import { IMPORT_LIMITS_TEXT, IMPORT_MAX_ROWS, PENDING_IMPORT_TTL_MS } from './import-limits';
import type { ImportPreview } from './import.service';

export function uploadPageModel(error?: string) {
  return { title: 'Import contacts', nav: 'settings', error, limitsText: IMPORT_LIMITS_TEXT, maxRows: IMPORT_MAX_ROWS.toLocaleString('en-US') };
}

const ACTION_LABELS = { create: 'New', merge: 'Merge', skip: 'Skip' } as const;

export function previewPageModel(preview: ImportPreview, error?: string) {
  const rows = (list: ImportPreview['firstRows']) => list.map((r) => ({ ...r, actionLabel: ACTION_LABELS[r.action], tagList: r.tags.join(', ') }));
  return {
    title: 'Review import',
    nav: 'settings',
    error,
    preview: {
      ...preview,
      firstRows: rows(preview.firstRows),
      skipped: rows(preview.skipped),
      merged: rows(preview.merged),
      importedColumns: preview.columns.filter((c) => c.imported),
      ignoredColumns: preview.columns.filter((c) => !c.imported),
      toImport: preview.counts.create + preview.counts.merge,
      ttlMinutes: PENDING_IMPORT_TTL_MS / 60000,
      isVCard: preview.format === 'vcard',
      isLarge: preview.total > 2000,
    },
  };
}
