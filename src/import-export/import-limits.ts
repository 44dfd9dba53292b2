/**
 * The documented import limits (also shown on the settings page). A confirmed import is one
 * transaction, and on SQLite every other write of the instance waits for it: 10,000 rows take
 * about 5 s on a 2-core machine (`npm run bench:import`), while reads go on (the import gives the
 * event loop a turn between batches). Larger address books are imported in several files.
 */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 10_000;
/**
 * Shape limits, checked while parsing (which runs in a worker thread, see import-parser.ts): a file
 * past one is refused at once, naming the line, instead of being parsed into something huge.
 */
export const IMPORT_MAX_COLUMNS = 200;
export const IMPORT_MAX_CELL_CHARS = 20_000;
export const IMPORT_MAX_LINE_CHARS = 100_000;
export const IMPORT_CSV_LIMITS = { maxColumns: IMPORT_MAX_COLUMNS, maxCellChars: IMPORT_MAX_CELL_CHARS, maxLineChars: IMPORT_MAX_LINE_CHARS };
/** An uploaded file waits this long for the user to confirm the preview. */
export const PENDING_IMPORT_TTL_MS = 60 * 60 * 1000;
export const PREVIEW_ROWS = 10;
/** How many skipped / merged rows the preview lists one by one (the counts are always complete). */
export const PREVIEW_DETAIL_ROWS = 200;

export const IMPORT_LIMITS_TEXT = `CSV (Google Contacts, LinkedIn Connections.csv, DevHub) or vCard 3.0/4.0, up to 5 MB and ${IMPORT_MAX_ROWS.toLocaleString('en-US')} contacts (CSV: at most ${IMPORT_MAX_COLUMNS} columns).`;
