/**
 * Bulk data for the contacts bench: one user with 20,000 contacts and 100,000 interactions (plus
 * tags, cadences and follow-ups), written in one transaction through TypeORM's insert in chunks.
 *
 * The rows are the ones the services would write: search_text from buildSearchText with the tag
 * names in the order ContactsRepository.reindex uses, sort_name lower-cased, last_interaction_at the
 * newest interaction, one open cadence follow-up due N days after the later of "added" and "last
 * contact", and dates converted by the same entity metadata. Outbox events are left out (no page
 * reads them). Works on SQLite and PostgreSQL; the FTS index follows through its triggers.
 *
 * Standalone, into an existing database (the user is created when missing):
 *   DATABASE_URL=sqlite:./data/devhub.db node -r ./test/support/swc-register.js bench/contacts/generate.ts [email] [password] [contacts] [interactions]
 *   (defaults: bench@devhub.local, bench-password, 20000, 100000)
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { User } from '../../src/auth/user.entity';
import { DAY_MS } from '../../src/common/time';
import { ContactTag } from '../../src/contacts/contact-tag.entity';
import { Contact } from '../../src/contacts/contact.entity';
import { newContactRow } from '../../src/contacts/contact.mapper';
import { FollowUp } from '../../src/contacts/follow-up.entity';
import { Interaction } from '../../src/contacts/interaction.entity';
import { contactInputFor, DEMO_TAGS, followUpNoteFor, interactionFor, notesFor, PersonGenerator, tagsFor } from '../../src/seed/demo-data';
import { Prng } from '../../src/seed/prng';
import { Tag } from '../../src/tags/tag.entity';

export interface GenerateOptions {
  contacts?: number;
  interactions?: number;
  seed?: number;
  now?: Date;
  /** share of contacts with a keep-in-touch cadence */
  cadenceShare?: number;
}

export interface GenerateResult {
  contacts: number;
  interactions: number;
  tags: number;
  tagLinks: number;
  followUps: number;
  ms: number;
  /** the contact with the most interactions, tags and follow-ups: the page the bench opens */
  busiestContactId: string;
}

const CHUNK = 500;

async function insertChunks<T extends object>(m: EntityManager, entity: new () => T, rows: T[]) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await m.createQueryBuilder().insert().into(entity).values(rows.slice(i, i + CHUNK)).execute();
  }
}

/** Random counts in 1..10 that add up to exactly `total`. */
function spread(rng: Prng, n: number, total: number): number[] {
  const counts = Array.from({ length: n }, () => rng.int(1, 9));
  let sum = counts.reduce((a, b) => a + b, 0);
  while (sum !== total) {
    const i = rng.int(0, n - 1);
    if (sum < total && counts[i] < 10) {
      counts[i]++;
      sum++;
    } else if (sum > total && counts[i] > 1) {
      counts[i]--;
      sum--;
    }
  }
  return counts;
}

export async function generateContacts(dataSource: DataSource, userId: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const started = Date.now();
  const n = opts.contacts ?? 20_000;
  const total = opts.interactions ?? 100_000;
  if (total < n || total > n * 10) throw new Error('interactions must be between 1 and 10 per contact');
  const now = opts.now ?? new Date();
  const rng = new Prng(opts.seed ?? 42);
  const gen = new PersonGenerator(rng);
  const minute = (t: number) => new Date(Math.floor(t / 60_000) * 60_000);

  const tags: Tag[] = DEMO_TAGS.map((name, i) => ({ id: randomUUID(), userId, name, nameKey: name.toLowerCase(), createdAt: new Date(now.getTime() - 400 * DAY_MS + i * 60_000) }));
  const tagByName = new Map(tags.map((t) => [t.name, t]));
  const counts = spread(rng, n, total);

  const contacts: Contact[] = [];
  const interactions: Interaction[] = [];
  const links: ContactTag[] = [];
  const followUps: FollowUp[] = [];
  let busiest = { id: '', score: -1 };

  let other = 'Ada Lovelace';
  for (let i = 0; i < n; i++) {
    const p = gen.person(true);
    const isCadence = rng.chance(opts.cadenceShare ?? 0.1);
    const input = contactInputFor(rng, p, {
      notes: rng.chance(0.3) ? notesFor(rng, p, other) : null,
      isVip: rng.chance(0.05),
      keepInTouchDays: isCadence ? rng.pick([14, 30, 60, 90]) : null,
    });
    const id = randomUUID();
    // interactions over the past year, the contact added a little before the first one
    const times = Array.from({ length: counts[i] }, () => minute(now.getTime() - rng.int(60, 365 * 24 * 60) * 60_000)).sort((a, b) => a.getTime() - b.getTime());
    const createdAt = minute(times[0].getTime() - rng.int(60, 30 * 24 * 60) * 60_000);
    const last = times[times.length - 1];
    for (const occurredAt of times) {
      const { type, summary } = interactionFor(rng, p, other);
      interactions.push({ id: randomUUID(), userId, contactId: id, type, occurredAt, summary, url: null, externalKey: null, createdAt: occurredAt, updatedAt: occurredAt });
    }
    // tag order as ContactsRepository.tagsFor returns them (by name_key), which reindex uses
    const tagNames = tagsFor(rng, p).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    for (const t of tagNames) links.push({ contactId: id, tagId: tagByName.get(t)!.id, createdAt });
    const contact: Contact = {
      ...newContactRow(userId, input, createdAt, tagNames),
      id,
      lastInteractionAt: last,
      // logging an interaction stamps the contact's updated_at (ContactsService.refreshLastInteraction)
      updatedAt: last,
    };
    contacts.push(contact);

    const fuBase = { userId, contactId: id, dueNotifiedAt: null, createdAt, updatedAt: createdAt };
    if (contact.keepInTouchDays) {
      const dueAt = new Date(Math.max(last.getTime(), createdAt.getTime()) + contact.keepInTouchDays * DAY_MS);
      followUps.push({ ...fuBase, id: randomUUID(), dueAt, note: `Keep in touch (every ${contact.keepInTouchDays} days)`, status: 'open', completedAt: null, isCadence: true });
    }
    const manual = rng.weighted([[0, 70], [1, 20], [2, 10]] as const);
    for (let k = 0; k < manual; k++) {
      const done = rng.chance(0.5);
      const dueAt = minute(done ? now.getTime() - rng.int(1, 300) * DAY_MS : now.getTime() + rng.int(-20, 60) * DAY_MS);
      followUps.push({ ...fuBase, id: randomUUID(), dueAt, note: followUpNoteFor(rng, p, other), status: done ? 'done' : 'open', completedAt: done ? dueAt : null, isCadence: false });
    }
    other = p.name;
    const score = counts[i] * 10 + tagNames.length * 3 + manual + (isCadence ? 1 : 0) + (contact.notes ? 1 : 0);
    if (score > busiest.score) busiest = { id, score };
  }

  await dataSource.transaction(async (m) => {
    await insertChunks(m, Tag, tags);
    await insertChunks(m, Contact, contacts);
    await insertChunks(m, ContactTag, links);
    await insertChunks(m, Interaction, interactions);
    await insertChunks(m, FollowUp, followUps);
  });
  return {
    contacts: contacts.length,
    interactions: interactions.length,
    tags: tags.length,
    tagLinks: links.length,
    followUps: followUps.length,
    ms: Date.now() - started,
    busiestContactId: busiest.id,
  };
}

/** Creates the user through the app's own service when missing; returns its id. */
export async function ensureUser(app: { get<T>(type: new (...args: never[]) => T): T }, email: string, password: string, name = 'Bench User'): Promise<string> {
  const { UsersService } = await import('../../src/auth/users.service');
  const users = app.get(UsersService);
  const existing = await users.findByEmail(email);
  if (existing) return existing.id;
  const user: User = await users.create({ email, name, password, signupSource: 'bench' });
  return user.id;
}

async function main() {
  const [email = 'bench@devhub.local', password = 'bench-password', contacts = '20000', interactions = '100000'] = process.argv.slice(2);
  await import('../../src/load-env');
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../../src/app.module');
  const { loadConfig } = await import('../../src/config/config.schema');
  const { JsonLogger } = await import('../../src/common/logging/json-logger');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig()), { logger: new JsonLogger('warn') });
  try {
    const userId = await ensureUser(app, email, password);
    const result = await generateContacts(app.get(DataSource), userId, { contacts: Number(contacts), interactions: Number(interactions) });
    process.stdout.write(`${JSON.stringify({ email, userId, ...result })}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
