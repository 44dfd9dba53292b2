/**
 * RFC 4180 CSV: quoted fields with doubled quotes, delimiters and line breaks inside quotes,
 * CRLF / LF / CR line ends, a leading byte-order mark. Lenient where real exports are sloppy
 * (a stray quote inside an unquoted field is kept as text); strict where guessing would lose
 * data (a quote that is never closed is an error naming the line it opened on).
 */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export class CsvTooManyRowsError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} rows`);
    this.name = 'CsvTooManyRowsError';
  }
}

/** A file that breaks one of the size limits (columns, cell or line length): it is refused whole. */
export class CsvLimitError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvLimitError';
  }
}

export interface CsvLimits {
  maxColumns: number;
  maxCellChars: number;
  maxLineChars: number;
}

export interface CsvRecords {
  /** non-blank records, in file order */
  rows: string[][];
  /** the 1-based line each record starts on (records may span lines) */
  lines: number[];
}

export interface CsvOptions {
  delimiter?: string;
  /** stop quietly after this many records (for sniffing the header) */
  stopAfter?: number;
  /** throw CsvTooManyRowsError past this many records */
  maxRecords?: number;
  /** throw CsvLimitError as soon as a record, a value or a line is larger than this */
  limits?: CsvLimits;
}

export function parseCsv(input: string, options: CsvOptions = {}): CsvRecords {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delim = options.delimiter ?? ',';
  const rows: string[][] = [];
  const lines: number[] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  const maxColumns = options.limits?.maxColumns ?? Infinity;
  const maxCell = options.limits?.maxCellChars ?? Infinity;
  const maxLine = options.limits?.maxLineChars ?? Infinity;
  let lineStart = 0;
  const tooLong = () =>
    field.length > maxCell
      ? new CsvLimitError(`Line ${line} has a value longer than ${maxCell.toLocaleString('en-US')} characters.`, line)
      : new CsvLimitError(`Line ${line} is longer than ${maxLine.toLocaleString('en-US')} characters.`, line);
  const pushField = () => {
    record.push(field);
    field = '';
    if (record.length > maxColumns) throw new CsvLimitError(`Line ${recordLine} has more than ${maxColumns} columns.`, recordLine);
  };

  const endRecord = (): boolean => {
    pushField();
    // a blank line is not a record
    if (!(record.length === 1 && record[0] === '')) {
      rows.push(record);
      lines.push(recordLine);
    }
    record = [];
    if (options.maxRecords !== undefined && rows.length > options.maxRecords) throw new CsvTooManyRowsError(options.maxRecords);
    return options.stopAfter !== undefined && rows.length >= options.stopAfter;
  };

  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && field === '') {
      // quoted field
      const openedOn = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvSyntaxError(`A quoted value that starts on line ${openedOn} is never closed.`, openedOn);
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\r') {
          line++;
          if (text[i + 1] === '\n') {
            field += '\r\n';
            i += 2;
            lineStart = i;
            continue;
          }
          lineStart = i + 1;
        } else if (c === '\n') {
          line++;
          lineStart = i + 1;
        }
        field += c;
        i++;
        if (field.length > maxCell || i - lineStart > maxLine) throw tooLong();
      }
      // text after the closing quote up to the delimiter is kept (sloppy writers)
      continue;
    }
    if (ch === delim) {
      pushField();
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      lineStart = i;
      const stop = endRecord();
      line++;
      recordLine = line;
      if (stop) return { rows, lines };
      continue;
    }
    field += ch;
    i++;
    if (field.length > maxCell || i - lineStart > maxLine) throw tooLong();
  }
  if (field !== '' || record.length) endRecord();
  return { rows, lines };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
// Spreadsheets run cells that start with these as formulas ("CSV injection").
const FORMULA_START = /^[=@\t\r]/;
const PHONE_LIKE = /^[+-][\d ()./+-]*$/;

/** One CSV field: quoted when needed; formula-looking text is prefixed with an apostrophe. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s) || ((s.startsWith('+') || s.startsWith('-')) && !PHONE_LIKE.test(s))) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** Undoes csvField's formula guard on re-import of DevHub's own export. */
export function unguardFormula(s: string): string {
  return /^'[=@\t\r+-]/.test(s) ? s.slice(1) : s;
}
