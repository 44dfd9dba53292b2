/**
 * vCard 4.0 writing (RFC 6350), shared by the contacts export (import-export) and the public
 * profile's "Save contact" (profiles). It lives in common/ rather than in either feature because
 * both are peers that emit the same format: neither should depend on the other's module.
 * Reading vCards is only needed by the importer and stays in src/import-export/vcard.ts.
 */

export interface EscapeOptions {
  /**
   * Escape `;` too (the default). It must be escaped in the fields of compound properties
   * (N, ADR); elsewhere a reader accepts it either way, and the profile card leaves it as is.
   */
  semicolons?: boolean;
}

/** TEXT escaping (RFC 6350 §3.4): backslash, line breaks, comma and, unless told not to, semicolon. */
export function escapeText(s: string, { semicolons = true }: EscapeOptions = {}): string {
  const out = s.replace(/\\/g, '\\\\').replace(/\r\n?|\n/g, '\\n').replace(/,/g, '\\,');
  return semicolons ? out.replace(/;/g, '\\;') : out;
}

/** URIs are not TEXT: only control characters must go (a line break would start a new property). */
export const uri = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '');

/** A parameter value or UID token reduced to letters, digits and hyphens. */
export const paramValue = (s: string) => s.replace(/[^A-Za-z0-9-]/g, '');

/** REV timestamp: 20240102T030405Z. */
export const revStamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Folds a content line at 75 octets without splitting a UTF-8 character (RFC 6350 §3.2). */
export function foldLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // back off to a character boundary (UTF-8 continuation bytes are 10xxxxxx)
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74; // a continuation line starts with a space
  }
  return parts.join('\r\n ');
}

/**
 * One person's vCard 4.0: BEGIN, VERSION, PRODID and KIND:individual, then the given content
 * lines (already escaped), then END; every line folded, CRLF line ends.
 */
export function writeVCard(prodId: string, properties: string[]): string {
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', `PRODID:${prodId}`, 'KIND:individual', ...properties, 'END:VCARD'];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
