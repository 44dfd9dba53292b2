import { escapeText, paramValue, revStamp, uri, writeVCard } from '../common/vcard/vcard-writer';

/**
 * vCard 4.0 (RFC 6350) for "Save contact". Escaping, folding and line ends come from the writer
 * shared with the contacts export (src/common/vcard/vcard-writer.ts).
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

/** `;` separates fields only in compound properties (ADR, N): only there is it escaped on this card. */
const text = (s: string) => escapeText(s, { semicolons: false });

export function buildVCard(v: VCardInput): string {
  const lines = [`UID:urn:uuid:${paramValue(v.uid)}`];
  lines.push(`FN:${text(v.fullName)}`);
  if (v.nickname) lines.push(`NICKNAME:${text(v.nickname)}`);
  if (v.title) lines.push(`TITLE:${text(v.title)}`);
  if (v.locality) lines.push(`ADR;TYPE=work:;;;${escapeText(v.locality)};;;`);
  if (v.photoUrl) lines.push(`PHOTO:${uri(v.photoUrl)}`);
  lines.push(`URL;TYPE=home:${uri(v.profileUrl)}`);
  if (v.website) lines.push(`URL;TYPE=work:${uri(v.website)}`);
  for (const s of v.socials) {
    // RFC 9554 SOCIALPROFILE, and the X- form that Apple and Google Contacts read
    lines.push(`SOCIALPROFILE;TYPE=${paramValue(s.type)}:${uri(s.url)}`);
    lines.push(`X-SOCIALPROFILE;TYPE=${paramValue(s.type)}:${uri(s.url)}`);
  }
  if (v.note) lines.push(`NOTE:${text(v.note)}`);
  lines.push(`REV:${revStamp(v.revision)}`);
  return writeVCard('-//DevHub//Public profile//EN', lines);
}
