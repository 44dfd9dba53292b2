import { extname } from 'node:path';
import { CSV_FORMAT_LABELS, CsvFormatError, readContactsCsv } from './csv-formats';
import { ImportError } from './import-export.errors';
import { IMPORT_CSV_LIMITS, IMPORT_MAX_LINE_CHARS, IMPORT_MAX_ROWS } from './import-limits';
import type { ImportRecord } from './import-record';
import { VCardTooManyError } from './vcard';
import { readVCards } from './vcard-records';

/** What the preview shows about a file's columns (CSV) or properties (vCard). */
export interface DetectedColumn {
  source: string;
  label: string;
  imported: boolean;
  /** CSV: the value in the first data row; vCard: how many cards have it */
  detail: string;
}

export interface ImportDocument {
  /** "csv:google", "csv:linkedin", "csv:devhub", "csv:generic" or "vcard" */
  format: string;
  formatLabel: string;
  columns: DetectedColumn[];
  records: ImportRecord[];
}

const BINARY_EXTENSIONS = new Set(['.xlsx', '.xls', '.xlsm', '.numbers', '.ods', '.zip', '.gz', '.pdf', '.doc', '.docx', '.png', '.jpg', '.jpeg', '.gif', '.webp', '.heic']);
const TEXT_EXTENSIONS = new Set(['', '.csv', '.txt', '.tsv', '.vcf', '.vcard']);

const wrongType = (what: string) =>
  new ImportError('wrong_type', `${what} Upload a CSV export (Google Contacts, LinkedIn Connections.csv or DevHub's own) or a vCard (.vcf) file.`);

/** Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252. Binary files are refused. */
export function decodeUpload(buffer: Buffer, filename = ''): string {
  const ext = extname(filename).toLowerCase();
  if (BINARY_EXTENSIONS.has(ext)) throw wrongType(`"${filename}" is a ${ext.slice(1).toUpperCase()} file, not a CSV or vCard.`);
  if (!buffer.length) throw new ImportError('empty', 'The file is empty.');
  let text: string;
  if (buffer[0] === 0xff && buffer[1] === 0xfe) text = buffer.subarray(2).toString('utf16le');
  else if (buffer[0] === 0xfe && buffer[1] === 0xff) text = Buffer.from(buffer.subarray(2)).swap16().toString('utf16le');
  else {
    if (buffer.includes(0)) throw wrongType('This is not a text file (it looks like a spreadsheet, an archive or an image).');
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    } catch {
      // Excel on Windows still saves "CSV" in the ANSI code page
      text = new TextDecoder('windows-1252').decode(buffer);
    }
  }
  text = text.replace(/^\uFEFF/, '');
  // no text file has NUL characters, and PostgreSQL cannot store them
  if (text.includes('\u0000')) throw wrongType('This is not a text file (it looks like a spreadsheet, an archive or an image).');
  if (!text.trim()) throw new ImportError('empty', 'The file is empty.');
  return text;
}

const isVCard = (text: string) => /^\s*BEGIN:VCARD\s*$/im.test(text.slice(0, 65536));

/** Parses an upload into records (throws ImportError for a file that cannot be imported at all). */
export function readImportDocument(text: string, filename = ''): ImportDocument {
  const ext = extname(filename).toLowerCase();
  if (isVCard(text)) return fromVCard(text);
  if (ext === '.vcf' || ext === '.vcard') throw wrongType(`"${filename}" is named like a vCard but has no BEGIN:VCARD line.`);
  if (ext === '.json' || /^\s*[[{]/.test(text)) throw wrongType('JSON files (such as the DevHub JSON export) cannot be imported.');
  if (!TEXT_EXTENSIONS.has(ext) && ext) throw wrongType(`"${filename}" is not a CSV or vCard file.`);
  return fromCsv(text);
}

function fromCsv(text: string): ImportDocument {
  let doc;
  try {
    doc = readContactsCsv(text, IMPORT_MAX_ROWS, IMPORT_CSV_LIMITS);
  } catch (err) {
    if (err instanceof CsvFormatError) {
      if (err.kind === 'too_many_rows') throw new ImportError('too_many_rows', `${err.message} Split it into files of at most ${IMPORT_MAX_ROWS.toLocaleString('en-US')} rows.`);
      if (err.kind === 'limits') throw new ImportError('limits', `${err.message} Nothing was imported: DevHub reads files of at most ${IMPORT_CSV_LIMITS.maxColumns} columns, values of at most ${IMPORT_CSV_LIMITS.maxCellChars.toLocaleString('en-US')} characters and lines of at most ${IMPORT_CSV_LIMITS.maxLineChars.toLocaleString('en-US')}.`);
      throw new ImportError(err.kind, err.kind === 'syntax' ? `This CSV file is broken. ${err.message} Nothing was imported.` : err.message);
    }
    throw err;
  }
  if (!doc.records.length) throw new ImportError('empty', 'The file has a header row but no contacts below it.');
  return {
    format: `csv:${doc.format}`,
    formatLabel: CSV_FORMAT_LABELS[doc.format] + (doc.delimiter === ';' ? ' (separated by semicolons)' : doc.delimiter === '\t' ? ' (separated by tabs)' : ''),
    columns: doc.columns.map((c) => ({ source: c.header || `(column ${c.index + 1})`, label: c.label, imported: c.target !== null, detail: doc.firstRow[c.index] ?? '' })),
    records: doc.records,
  };
}

/** The 1-based number of the first line longer than `max` characters, or 0. */
function firstLongLine(text: string, max: number): number {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > max) return line;
    start = end + 1;
  }
  return 0;
}

function fromVCard(text: string): ImportDocument {
  const long = firstLongLine(text, IMPORT_MAX_LINE_CHARS);
  if (long) throw new ImportError('limits', `Line ${long} is longer than ${IMPORT_MAX_LINE_CHARS.toLocaleString('en-US')} characters. Nothing was imported.`);
  let doc;
  try {
    doc = readVCards(text, IMPORT_MAX_ROWS);
  } catch (err) {
    if (err instanceof VCardTooManyError) {
      throw new ImportError('too_many_rows', `The file has more than ${IMPORT_MAX_ROWS.toLocaleString('en-US')} vCards. Split it into smaller files.`);
    }
    throw err;
  }
  if (!doc.records.length) throw new ImportError('empty', 'No vCards were found in the file.');
  return {
    format: 'vcard',
    formatLabel: `vCard ${doc.versions.join(' and ')}`,
    columns: doc.properties.map((p) => ({ source: p.name, label: p.label, imported: p.label !== 'not imported', detail: `${p.count} of ${doc.records.length}` })),
    records: doc.records,
  };
}
