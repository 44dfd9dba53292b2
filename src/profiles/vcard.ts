/**
 * vCard 4.0 (RFC 6350) for "Save contact": text values escaped (backslash, comma, semicolon,
 * newline), lines folded at 75 octets without splitting a UTF-8 character, CRLF line ends.
 */
export interface VCardInput {
  uid: string;
  fullName: string;
  nickname?: string | null;
  title?: string | null;
  note?: string | null;
  locality?: string | null;
  profileUrl: string;
  website?: string | null;
  photoUrl?: string | null;
  socials: Array<{ type: string; url: string }>;
  revision: Date;
}

/** TEXT escaping; `;` only separates fields of compound properties (ADR, N), so only there is it escaped. */
export const escapeVCardText = (s: string, compound = false) => {
  const out = s.replace(/\\/g, '\\\\').replace(/\r\n?|\n/g, '\\n').replace(/,/g, '\\,');
  return compound ? out.replace(/;/g, '\\;') : out;
};

/** URIs are not TEXT: only control characters must go (a newline would start a new property). */
const uri = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '');
const param = (s: string) => s.replace(/[^A-Za-z0-9-]/g, '');

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
    limit = 74; // continuation lines start with a space
  }
  return parts.join('\r\n ');
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export function buildVCard(v: VCardInput): string {
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', 'PRODID:-//DevHub//Public profile//EN', 'KIND:individual'];
  lines.push(`UID:urn:uuid:${param(v.uid)}`);
  lines.push(`FN:${escapeVCardText(v.fullName)}`);
  if (v.nickname) lines.push(`NICKNAME:${escapeVCardText(v.nickname)}`);
  if (v.title) lines.push(`TITLE:${escapeVCardText(v.title)}`);
  if (v.locality) lines.push(`ADR;TYPE=work:;;;${escapeVCardText(v.locality, true)};;;`);
  if (v.photoUrl) lines.push(`PHOTO:${uri(v.photoUrl)}`);
  lines.push(`URL;TYPE=home:${uri(v.profileUrl)}`);
  if (v.website) lines.push(`URL;TYPE=work:${uri(v.website)}`);
  for (const s of v.socials) {
    // RFC 9554 SOCIALPROFILE, and the X- form that Apple and Google Contacts read
    lines.push(`SOCIALPROFILE;TYPE=${param(s.type)}:${uri(s.url)}`);
    lines.push(`X-SOCIALPROFILE;TYPE=${param(s.type)}:${uri(s.url)}`);
  }
  if (v.note) lines.push(`NOTE:${escapeVCardText(v.note)}`);
  lines.push(`REV:${stamp(v.revision)}`);
  lines.push('END:VCARD');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
