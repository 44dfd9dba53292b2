import { emptyRecord, ImportRecord, normalizeId } from './import-record';
import { parseVCards, splitEscaped, unescapeText, VCardEntry, VCardProperty } from './vcard';

/** What each vCard property becomes (shown on the preview, like a CSV's columns). */
export const VCARD_PROPERTY_LABELS: Record<string, string> = {
  UID: 'DevHub id (finds the same contact again)',
  FN: 'Name',
  N: 'Name (when FN is missing)',
  NICKNAME: 'Name (when no other name is given)',
  EMAIL: 'E-mail',
  TEL: 'Phone',
  ORG: 'Company',
  TITLE: 'Title',
  ROLE: 'Title (when TITLE is missing)',
  ADR: 'Location (city, country)',
  URL: 'Website, or GitHub / X / LinkedIn by address',
  'X-SOCIALPROFILE': 'GitHub / X / LinkedIn',
  SOCIALPROFILE: 'GitHub / X / LinkedIn',
  IMPP: 'GitHub / X / LinkedIn (when it is such an address)',
  NOTE: 'Notes',
  CATEGORIES: 'Tags',
};

export interface VCardDocument {
  versions: string[];
  /** property name → how many cards have it, in first-seen order */
  properties: Array<{ name: string; count: number; label: string }>;
  records: ImportRecord[];
}

const isPreferred = (p: VCardProperty) =>
  (p.params.PREF ?? []).some((v) => v === '1') || (p.params.TYPE ?? []).some((t) => t.toLowerCase() === 'pref');

function byPreference(props: VCardProperty[]): VCardProperty[] {
  return [...props].sort((a, b) => Number(isPreferred(b)) - Number(isPreferred(a)));
}

function socialProfile(r: ImportRecord, p: VCardProperty) {
  const value = unescapeText(p.value).trim();
  const type = (p.params.TYPE ?? [])[0]?.toLowerCase() ?? '';
  const user = (p.params['X-USER'] ?? [])[0];
  if (/^https?:\/\//i.test(value) || /^[\w-]+(\.[\w-]+)+\//.test(value)) {
    r.urls.push(value);
    return;
  }
  // Apple: X-SOCIALPROFILE;type=twitter;x-user=jack:x-apple:jack
  const handle = (user ?? value.replace(/^x-apple:/i, '')).replace(/^@/, '').trim();
  if (!handle) return;
  if (type === 'github') r.githubUsername ??= handle;
  else if (type === 'twitter' || type === 'x') r.twitter ??= handle;
  else if (type === 'linkedin') r.linkedin ??= handle;
}

export function cardToRecord(card: VCardEntry): ImportRecord {
  const r = emptyRecord(card.line);
  if (card.error) r.error = card.error;
  const all = (name: string) => card.props.filter((p) => p.name === name);
  const first = (name: string) => all(name)[0];
  const text = (name: string) => {
    const p = first(name);
    return p ? unescapeText(p.value).trim() : undefined;
  };

  r.id = normalizeId(text('UID'));
  r.name = text('FN');
  const n = first('N');
  if (n) {
    const [family, given, additional] = splitEscaped(n.value, ';');
    r.lastName = family?.trim() || undefined;
    r.firstName = given?.trim() || undefined;
    r.middleName = additional?.trim() || undefined;
  }
  r.nickname = text('NICKNAME')?.split(',')[0];
  r.emails = byPreference(all('EMAIL')).map((p) => unescapeText(p.value).trim());
  r.phones = byPreference(all('TEL')).map((p) => unescapeText(p.value).trim());
  const org = first('ORG');
  if (org) r.company = splitEscaped(org.value, ';')[0]?.trim() || undefined;
  r.title = text('TITLE') || text('ROLE') || undefined;
  const adr = byPreference(all('ADR'))[0];
  if (adr) {
    const parts = splitEscaped(adr.value, ';');
    r.city = parts[3]?.trim() || undefined;
    r.region = parts[4]?.trim() || undefined;
    r.country = parts[6]?.trim() || undefined;
  }
  for (const p of card.props) {
    if (p.name === 'URL') r.urls.push(unescapeText(p.value).trim());
    else if (p.name === 'X-SOCIALPROFILE' || p.name === 'SOCIALPROFILE') socialProfile(r, p);
    else if (p.name === 'IMPP' && /(github\.com|x\.com|twitter\.com|linkedin\.com)\//i.test(p.value)) r.urls.push(p.value.replace(/^[a-z-]+:(?=https?:)/i, '').trim());
    else if (p.name === 'NOTE') r.notes.push(unescapeText(p.value));
    else if (p.name === 'CATEGORIES') r.tags.push(...splitEscaped(p.value, ','));
  }
  return r;
}

export function readVCards(text: string, maxCards: number): VCardDocument {
  const cards = parseVCards(text, maxCards);
  const versions = [...new Set(cards.map((c) => c.version ?? '3.0'))].sort();
  const counts = new Map<string, number>();
  for (const card of cards) {
    for (const name of new Set(card.props.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const properties = [...counts].map(([name, count]) => ({ name, count, label: VCARD_PROPERTY_LABELS[name] ?? 'not imported' }));
  return { versions, properties, records: cards.map(cardToRecord) };
}
