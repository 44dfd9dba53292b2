import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CONTACT_EDITABLE_FIELDS } from '../contacts/contact-fields';
import type { ContactView } from '../contacts/contact.mapper';
import { ContactsService } from '../contacts/contacts.service';
import { AccountExportRegistry } from './account-export.registry';
import { csvRow } from './csv';
import type { Download } from './download';
import { OwnedRowsReader } from './owned-rows.reader';
import { contactToVCard } from './vcard';

/** DevHub's CSV columns: the contract's contact field names, tags joined with "; ". */
export const DEVHUB_CSV_COLUMNS = [
  'id',
  ...CONTACT_EDITABLE_FIELDS,
  'lastInteractionAt',
  'tags',
  'createdAt',
  'updatedAt',
] as const;

function csvValues(c: ContactView): unknown[] {
  return DEVHUB_CSV_COLUMNS.map((col) => (col === 'tags' ? c.tags.map((t) => t.name).join('; ') : c[col]));
}

/** "Ada Lovelace" → "ada-lovelace" (for file names). */
export function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'contact'
  );
}

@Injectable()
export class ExportService {
  constructor(
    private readonly contacts: ContactsService,
    private readonly registry: AccountExportRegistry,
    private readonly reader: OwnedRowsReader,
    private readonly clock: Clock,
  ) {}

  private day(timeZone: string): string {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.clock.now());
    } catch {
      return this.clock.now().toISOString().slice(0, 10);
    }
  }

  contactsCsv(userId: string, timeZone: string): Download {
    const reader = this.reader;
    return {
      filename: `devhub-contacts-${this.day(timeZone)}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: (async function* () {
        // the BOM makes Excel read the file as UTF-8; every importer (ours too) skips it
        yield '\uFEFF' + csvRow([...DEVHUB_CSV_COLUMNS]);
        for await (const c of reader.contacts(userId)) yield csvRow(csvValues(c));
      })(),
    };
  }

  contactsVcf(userId: string, timeZone: string): Download {
    const reader = this.reader;
    return {
      filename: `devhub-contacts-${this.day(timeZone)}.vcf`,
      contentType: 'text/vcard; charset=utf-8',
      body: (async function* () {
        for await (const c of reader.contacts(userId)) yield contactToVCard(c);
      })(),
    };
  }

  /** One contact as a vCard; another user's id is a 404 (before anything is sent). */
  async contactVcf(userId: string, contactId: string): Promise<Download> {
    const c = await this.contacts.get(userId, contactId);
    return {
      filename: `${slug(c.name)}.vcf`,
      contentType: 'text/vcard; charset=utf-8',
      body: (async function* () {
        yield contactToVCard(c);
      })(),
    };
  }

  /** Everything the user owns, section by section (see AccountExportRegistry), streamed. */
  accountJson(userId: string, timeZone: string): Download {
    const sections = this.registry.list();
    const exportedAt = this.clock.now().toISOString();
    return {
      filename: `devhub-export-${this.day(timeZone)}.json`,
      contentType: 'application/json; charset=utf-8',
      body: (async function* () {
        yield `{\n  "format": "devhub-export",\n  "version": 1,\n  "exportedAt": ${JSON.stringify(exportedAt)}`;
        for (const section of sections) {
          const key = JSON.stringify(section.key);
          if ('object' in section) {
            yield `,\n  ${key}: ${JSON.stringify(await section.object(userId))}`;
            continue;
          }
          yield `,\n  ${key}: [`;
          let first = true;
          for await (const row of section.rows(userId)) {
            yield `${first ? '\n' : ',\n'}    ${JSON.stringify(row)}`;
            first = false;
          }
          yield first ? ']' : '\n  ]';
        }
        yield '\n}\n';
      })(),
    };
  }
}
