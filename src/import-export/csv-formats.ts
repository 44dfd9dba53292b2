import { CsvLimitError, CsvLimits, CsvSyntaxError, CsvTooManyRowsError, parseCsv, unguardFormula } from './csv';
import { emptyRecord, ImportRecord, normalizeId } from './import-record';

export type CsvFormat = 'google' | 'linkedin' | 'devhub' | 'generic';

export const CSV_FORMAT_LABELS: Record<CsvFormat, string> = {
  google: 'Google Contacts CSV',
  linkedin: 'LinkedIn Connections.csv',
  devhub: 'DevHub CSV export',
  generic: 'CSV with a header row',
};

/** Where a column goes. */
export type ColumnTarget =
  | 'id'
  | 'name'
  | 'firstName'
  | 'middleName'
  | 'lastName'
  | 'nickname'
  | 'email'
  | 'phone'
  | 'company'
  | 'title'
  | 'location'
  | 'city'
  | 'region'
  | 'country'
  | 'githubUsername'
  | 'twitter'
  | 'linkedin'
  | 'website'
  | 'url'
  | 'notes'
  | 'tags'
  | 'isVip'
  | 'keepInTouchDays'
  | 'connectedOn';

export const TARGET_LABELS: Record<ColumnTarget, string> = {
  id: 'DevHub id (finds the same contact again)',
  name: 'Name',
  firstName: 'Name (first name)',
  middleName: 'Name (middle name)',
  lastName: 'Name (last name)',
  nickname: 'Name (when no other name is given)',
  email: 'E-mail',
  phone: 'Phone',
  company: 'Company',
  title: 'Title',
  location: 'Location',
  city: 'Location (city)',
  region: 'Location (region, when no city)',
  country: 'Location (country)',
  githubUsername: 'GitHub username',
  twitter: 'X / Twitter',
  linkedin: 'LinkedIn',
  website: 'Website',
  url: 'Website, or GitHub / X / LinkedIn by address',
  notes: 'Notes',
  tags: 'Tags',
  isVip: 'VIP',
  keepInTouchDays: 'Keep in touch (days)',
  connectedOn: 'Notes ("Connected on LinkedIn: …")',
};

const norm = (h: string) => h.replace(/^\uFEFF/, '').replace(/\s+/g, ' ').trim().toLowerCase();

const DEVHUB: Record<string, ColumnTarget> = {
  id: 'id',
  name: 'name',
  email: 'email',
  phone: 'phone',
  company: 'company',
  title: 'title',
  location: 'location',
  githubusername: 'githubUsername',
  twitter: 'twitter',
  linkedin: 'linkedin',
  website: 'website',
  notes: 'notes',
  isvip: 'isVip',
  keepintouchdays: 'keepInTouchDays',
  tags: 'tags',
};

const LINKEDIN: Record<string, ColumnTarget> = {
  'first name': 'firstName',
  'last name': 'lastName',
  url: 'linkedin',
  'profile url': 'linkedin',
  'email address': 'email',
  company: 'company',
  position: 'title',
  'connected on': 'connectedOn',
};

const GOOGLE: Record<string, ColumnTarget> = {
  name: 'name',
  'first name': 'firstName',
  'given name': 'firstName',
  'middle name': 'middleName',
  'additional name': 'middleName',
  'last name': 'lastName',
  'family name': 'lastName',
  nickname: 'nickname',
  'organization name': 'company',
  'organization title': 'title',
  location: 'location',
  notes: 'notes',
  labels: 'tags',
  'group membership': 'tags',
};

function googleTarget(h: string): ColumnTarget | null {
  if (GOOGLE[h]) return GOOGLE[h]!;
  if (/^e-mail \d+ - value$/.test(h)) return 'email';
  if (/^phone \d+ - value$/.test(h)) return 'phone';
  if (/^organization \d+ - name$/.test(h)) return 'company';
  if (/^organization \d+ - title$/.test(h)) return 'title';
  if (/^website \d+ - value$/.test(h)) return 'url';
  if (/^address \d+ - city$/.test(h)) return 'city';
  if (/^address \d+ - region$/.test(h)) return 'region';
  if (/^address \d+ - country$/.test(h)) return 'country';
  return null;
}

const GENERIC: Record<string, ColumnTarget> = {
  name: 'name',
  'full name': 'name',
  'display name': 'name',
  'contact name': 'name',
  'first name': 'firstName',
  firstname: 'firstName',
  'given name': 'firstName',
  'last name': 'lastName',
  lastname: 'lastName',
  surname: 'lastName',
  'family name': 'lastName',
  email: 'email',
  'e-mail': 'email',
  'email address': 'email',
  'e-mail address': 'email',
  mail: 'email',
  phone: 'phone',
  'phone number': 'phone',
  telephone: 'phone',
  mobile: 'phone',
  company: 'company',
  organization: 'company',
  organisation: 'company',
  employer: 'company',
  title: 'title',
  'job title': 'title',
  position: 'title',
  role: 'title',
  location: 'location',
  city: 'city',
  country: 'country',
  github: 'githubUsername',
  'github username': 'githubUsername',
  githubusername: 'githubUsername',
  twitter: 'twitter',
  x: 'twitter',
  linkedin: 'linkedin',
  'linkedin url': 'linkedin',
  website: 'website',
  url: 'url',
  homepage: 'url',
  notes: 'notes',
  note: 'notes',
  tags: 'tags',
  labels: 'tags',
};

/** Which export a header row comes from, or null when it is not a contacts header at all. */
export function detectCsvFormat(header: string[]): CsvFormat | null {
  const h = new Set(header.map(norm));
  if (h.has('name') && ['githubusername', 'keepintouchdays', 'isvip'].some((k) => h.has(k))) return 'devhub';
  if (h.has('first name') && h.has('last name') && (h.has('connected on') || (h.has('position') && h.has('url')))) return 'linkedin';
  const headers = [...h];
  if (
    headers.some((x) => /^e-mail \d+ - value$/.test(x) || /^organization \d+ - name$/.test(x)) ||
    h.has('given name') ||
    h.has('group membership') ||
    (h.has('first name') && h.has('labels')) ||
    h.has('organization name')
  ) {
    return 'google';
  }
  if (headers.some((x) => GENERIC[x] && ['name', 'firstName', 'email'].includes(GENERIC[x]!))) return 'generic';
  return null;
}

export function targetFor(format: CsvFormat, header: string): ColumnTarget | null {
  const h = norm(header);
  switch (format) {
    case 'devhub':
      return DEVHUB[h] ?? null;
    case 'linkedin':
      return LINKEDIN[h] ?? null;
    case 'google':
      return googleTarget(h);
    default:
      return GENERIC[h] ?? null;
  }
}

export interface ColumnMapping {
  index: number;
  header: string;
  target: ColumnTarget | null;
  label: string;
}

export interface CsvDocument {
  format: CsvFormat;
  delimiter: string;
  columns: ColumnMapping[];
  records: ImportRecord[];
  /** the first data row as written (for the preview's column table) */
  firstRow: string[];
}

const GOOGLE_MULTI = /\s*:::\s*/;

function splitTags(format: CsvFormat, value: string): { tags: string[]; starred: boolean } {
  if (format === 'devhub') return { tags: value.split(';'), starred: false };
  if (format === 'google') {
    let starred = false;
    const tags: string[] = [];
    for (const raw of value.split(GOOGLE_MULTI)) {
      const t = raw.trim();
      if (!t || /^\*\s*mycontacts$/i.test(t)) continue;
      // Google's star: the closest thing DevHub has is VIP
      if (/^\*\s*starred$/i.test(t)) {
        starred = true;
        continue;
      }
      tags.push(t.replace(/^\*\s*/, ''));
    }
    return { tags, starred };
  }
  return { tags: value.split(/[;,]/), starred: false };
}

function toRecord(format: CsvFormat, columns: ColumnMapping[], row: string[], line: number): ImportRecord {
  const r = emptyRecord(line);
  for (const col of columns) {
    if (!col.target) continue;
    let value = row[col.index] ?? '';
    if (format === 'devhub') value = unguardFormula(value);
    if (!value.trim()) continue;
    const values = format === 'google' ? value.split(GOOGLE_MULTI).filter((v) => v.trim()) : [value];
    const first = values[0] ?? '';
    switch (col.target) {
      case 'email':
        r.emails.push(...values);
        break;
      case 'phone':
        r.phones.push(...values);
        break;
      case 'url':
        r.urls.push(...values);
        break;
      case 'notes':
        r.notes.push(value);
        break;
      case 'connectedOn':
        r.notes.push(`Connected on LinkedIn: ${value.trim()}`);
        break;
      case 'tags': {
        const { tags, starred } = splitTags(format, value);
        r.tags.push(...tags);
        if (starred) r.isVip = true;
        break;
      }
      case 'id':
        r.id = normalizeId(value);
        break;
      case 'linkedin':
        r.linkedin ??= first;
        break;
      default:
        // the first column of a kind wins ("Organization 1 - Name" over "Organization 2 - Name")
        if ((r as unknown as Record<string, unknown>)[col.target] === undefined) (r as unknown as Record<string, unknown>)[col.target] = first;
    }
  }
  if (row.length > columns.length && row.slice(columns.length).some((v) => v.trim() !== '')) {
    r.error = `has ${row.length} values but the header has ${columns.length} columns (a comma inside a value that is not in quotes?)`;
  }
  return r;
}

export class CsvFormatError extends Error {
  constructor(
    message: string,
    readonly kind: 'unrecognized' | 'syntax' | 'too_many_rows' | 'limits',
  ) {
    super(message);
  }
}

const HEADER_SEARCH_ROWS = 15;

/**
 * Finds the header row (LinkedIn puts a few "Notes:" lines before it), the delimiter (",", ";"
 * or tab) and the format, then maps every data row to an ImportRecord.
 */
export function readContactsCsv(text: string, maxRows: number, limits?: CsvLimits): CsvDocument {
  try {
    return readWithin(text, maxRows, limits);
  } catch (err) {
    if (err instanceof CsvLimitError) throw new CsvFormatError(err.message, 'limits');
    throw err;
  }
}

function readWithin(text: string, maxRows: number, limits?: CsvLimits): CsvDocument {
  let syntaxError: CsvSyntaxError | null = null;
  for (const delimiter of [',', ';', '\t']) {
    let head;
    try {
      head = parseCsv(text, { delimiter, stopAfter: HEADER_SEARCH_ROWS, limits });
    } catch (err) {
      if (err instanceof CsvSyntaxError) {
        syntaxError ??= err;
        continue;
      }
      throw err;
    }
    const headerIndex = head.rows.findIndex((r) => detectCsvFormat(r) !== null);
    if (headerIndex < 0) continue;
    const format = detectCsvFormat(head.rows[headerIndex]!)!;
    let all;
    try {
      all = parseCsv(text, { delimiter, maxRecords: maxRows + headerIndex + 1, limits });
    } catch (err) {
      if (err instanceof CsvSyntaxError) throw new CsvFormatError(`Line ${err.line}: ${err.message}`, 'syntax');
      if (err instanceof CsvTooManyRowsError) throw new CsvFormatError(`The file has more than ${maxRows.toLocaleString('en-US')} rows.`, 'too_many_rows');
      throw err;
    }
    const header = all.rows[headerIndex]!;
    const columns: ColumnMapping[] = header.map((h, index) => {
      const target = targetFor(format, h);
      return { index, header: h.replace(/^\uFEFF/, '').trim(), target, label: target ? TARGET_LABELS[target] : 'not imported' };
    });
    const records: ImportRecord[] = [];
    let firstRow: string[] = [];
    for (let i = headerIndex + 1; i < all.rows.length; i++) {
      const row = all.rows[i]!;
      if (row.every((v) => v.trim() === '')) continue;
      if (!records.length) firstRow = row;
      records.push(toRecord(format, columns, row, all.lines[i]!));
    }
    return { format, delimiter, columns, records, firstRow };
  }
  if (syntaxError) throw new CsvFormatError(`Line ${syntaxError.line}: ${syntaxError.message}`, 'syntax');
  throw new CsvFormatError(
    'No header row with contact columns was found. The first row should name the columns, for example "Name,E-mail" or the header of a Google Contacts or LinkedIn export.',
    'unrecognized',
  );
}
