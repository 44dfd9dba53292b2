import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { createTestDatabase, testConfig, TestDatabase } from '../../test/support/test-app';
import { AppModule } from '../app.module';
import { UsersService } from '../auth/users.service';
import { verifyPassword } from '../common/crypto/password-hasher';
import { JsonLogger } from '../common/logging/json-logger';
import { validateForm } from '../common/forms/validate-form';
import { DAY_MS } from '../common/time';
import { ContactsService, normalizeDbDate } from '../contacts/contacts.service';
import { ContactInputDto } from '../contacts/dto/contact-input.dto';
import { FollowUpsService } from '../contacts/follow-ups.service';
import { InteractionsService } from '../contacts/interactions.service';
import { TagsService } from '../tags/tags.service';
import { buildDemoPlan, DEMO_TAGS } from './demo-data';
import { PublicProfilesService } from '../profiles/public-profiles.service';
import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_USERNAME, DemoSeedResult, DemoSeedService } from './demo-seed.service';

describe('buildDemoPlan', () => {
  const now = new Date('2026-03-04T10:00:00Z');
  const plan = buildDemoPlan({ now, timeZone: 'Europe/Berlin' });

  it('is the same for the same seed and moment', () => {
    expect(buildDemoPlan({ now, timeZone: 'Europe/Berlin' })).toEqual(plan);
    expect(buildDemoPlan({ now, timeZone: 'Europe/Berlin', seed: 7 })).not.toEqual(plan);
  });

  it('only holds contact fields the contact form would accept unchanged', async () => {
    for (const c of plan) {
      const { value, errors } = await validateForm(ContactInputDto, c.input);
      expect({ name: c.input.name, errors }).toEqual({ name: c.input.name, errors: null });
      expect({ ...value }).toEqual(c.input);
    }
  });

  it('keeps e-mail addresses and GitHub usernames unique, so nothing shows up as a duplicate', () => {
    const emails = plan.map((c) => c.input.email).filter(Boolean);
    const handles = plan.map((c) => c.input.githubUsername).filter(Boolean);
    expect(new Set(emails).size).toBe(emails.length);
    expect(new Set(handles).size).toBe(handles.length);
    expect(handles.length).toBeGreaterThan(plan.length * 0.6);
  });

  it('gives each contact 1–10 interactions within the past year, after the contact was added', () => {
    for (const c of plan) {
      expect(c.interactions.length).toBeGreaterThanOrEqual(1);
      expect(c.interactions.length).toBeLessThanOrEqual(10);
      for (const i of c.interactions) {
        expect(i.occurredAt.getTime()).toBeLessThan(now.getTime());
        expect(i.occurredAt.getTime()).toBeGreaterThan(now.getTime() - 366 * DAY_MS);
        expect(i.occurredAt.getTime()).toBeGreaterThan(c.createdAt.getTime());
        expect(i.summary.length).toBeGreaterThan(10);
      }
    }
  });
});

describe('DemoSeedService on SQLite', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let first: DemoSeedResult;
  let userId: string;
  let timezone: string;

  const count = async (sql: string, params: unknown[] = []) => Number((await app.get(DataSource).query(sql, params))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig(db);
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new JsonLogger('error') });
    first = await app.get(DemoSeedService).run();
    userId = first.userId;
    timezone = (await app.get(UsersService).findById(userId))!.timezone;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('creates the demo account with the documented password and about 200 contacts', async () => {
    expect(first).toMatchObject({ created: true, seeded: true });
    const user = await app.get(UsersService).findByEmail(DEMO_EMAIL);
    expect(user?.id).toBe(userId);
    await expect(verifyPassword(DEMO_PASSWORD, user!.passwordHash)).resolves.toBe(true);
    expect(timezone).toBe('Europe/Berlin');

    const contacts = await app.get(ContactsService).count(userId);
    expect(contacts).toBe(first.contacts);
    expect(contacts).toBeGreaterThanOrEqual(180);
    expect(contacts).toBeLessThanOrEqual(220);
    const interactions = await count(`SELECT COUNT(*) AS n FROM interactions WHERE user_id = ?`, [userId]);
    expect(interactions).toBe(first.interactions);
    expect(interactions).toBeGreaterThanOrEqual(contacts);
    expect(await count(`SELECT COUNT(*) AS n FROM contacts WHERE user_id = ? AND is_vip = 1`, [userId])).toBeGreaterThan(5);
  });

  it('creates the tags, each on at least one contact, and search and the tag filter find them', async () => {
    const tags = await app.get(TagsService).list(userId);
    expect(tags.length).toBeGreaterThanOrEqual(12);
    expect(tags.map((t) => t.name).sort()).toEqual([...DEMO_TAGS].sort());
    for (const t of tags) expect(t.contactCount).toBeGreaterThan(0);

    const rust = tags.find((t) => t.name === 'rust')!;
    const byTag = await app.get(ContactsService).list(userId, { tagIds: [rust.id], limit: 100, offset: 0 });
    expect(byTag.total).toBe(rust.contactCount);
    for (const c of byTag.items) expect(c.tags.map((t) => t.name)).toContain('rust');
    // tag names are part of the search text
    const bySearch = await app.get(ContactsService).list(userId, { q: 'rust', limit: 100, offset: 0 });
    expect(bySearch.total).toBeGreaterThanOrEqual(rust.contactCount);
  });

  it('gives about 30 contacts a cadence with exactly one open cadence follow-up, due N days after the last interaction', async () => {
    const rows: Array<{ id: string; days: number; last: string; created: string; open: number; due: string }> = await app.get(DataSource).query(
      `SELECT c.id, c.keep_in_touch_days AS days, c.last_interaction_at AS last, c.created_at AS created,
              (SELECT COUNT(*) FROM follow_ups f WHERE f.contact_id = c.id AND f.status = 'open' AND f.is_cadence = 1) AS open,
              (SELECT MIN(f.due_at) FROM follow_ups f WHERE f.contact_id = c.id AND f.status = 'open' AND f.is_cadence = 1) AS due
         FROM contacts c WHERE c.user_id = ? AND c.keep_in_touch_days IS NOT NULL`,
      [userId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(rows.length).toBeLessThanOrEqual(35);
    for (const r of rows) {
      expect(Number(r.open)).toBe(1);
      const base = Math.max(normalizeDbDate(r.last).getTime(), normalizeDbDate(r.created).getTime());
      expect(normalizeDbDate(r.due).toISOString()).toBe(new Date(base + Number(r.days) * DAY_MS).toISOString());
    }
    // contacts without a cadence have none
    expect(await count(`SELECT COUNT(*) AS n FROM follow_ups f JOIN contacts c ON c.id = f.contact_id WHERE f.user_id = ? AND f.is_cadence = 1 AND c.keep_in_touch_days IS NULL`, [userId])).toBe(0);
    // some have lapsed: the dashboard's "Losing touch" has something to show
    expect((await app.get(FollowUpsService).losingTouch(userId, 50)).length).toBeGreaterThan(0);
  });

  it('keeps lastInteractionAt equal to the newest interaction', async () => {
    const contacts = app.get(ContactsService);
    const interactions = app.get(InteractionsService);
    const { items } = await contacts.list(userId, { sort: 'name', limit: 100, offset: 0 });
    const sample = items.filter((_, i) => i % 7 === 0);
    expect(sample.length).toBeGreaterThan(10);
    for (const c of sample) {
      const timeline = await interactions.listForContact(userId, c.id, 1);
      expect(timeline.total).toBeGreaterThanOrEqual(1);
      expect(timeline.total).toBeLessThanOrEqual(10);
      expect(c.lastInteractionAt).toBe(timeline.items[0].occurredAt);
    }
    // and for every contact, in one query
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM contacts c WHERE c.user_id = ?
           AND (c.last_interaction_at IS NULL OR c.last_interaction_at <> (SELECT MAX(i.occurred_at) FROM interactions i WHERE i.contact_id = c.id))`,
        [userId],
      ),
    ).toBe(0);
  });

  it('leaves follow-ups in every section: overdue, due today, upcoming and done', async () => {
    const followUps = app.get(FollowUpsService);
    for (const section of ['overdue', 'today', 'upcoming', 'done'] as const) {
      const { total } = await followUps.section(userId, section, timezone, 1);
      expect({ section, some: total > 0 }).toEqual({ section, some: true });
    }
    const done = await followUps.section(userId, 'done', timezone, 100);
    for (const f of done.items) {
      expect(f.completedAt).not.toBeNull();
      expect(new Date(f.completedAt!).getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it("publishes the demo account's public profile at /@demo", async () => {
    expect(first.profile).toBe(DEMO_USERNAME);
    const found = await app.get(PublicProfilesService).lookup(DEMO_USERNAME);
    expect(found.kind).toBe('profile');
    if (found.kind !== 'profile') return;
    expect(found.profile).toMatchObject({ userId, displayName: 'Demo Developer', bioFormat: 'markdown', links: { github: expect.stringContaining('devhub-demo') } });
  });

  it('does not duplicate anything when run again', async () => {
    const tables = ['contacts', 'interactions', 'follow_ups', 'tags', 'public_profiles'];
    const before = await Promise.all(tables.map((t) => count(`SELECT COUNT(*) AS n FROM ${t} WHERE user_id = ?`, [userId])));
    const links = await count(`SELECT COUNT(*) AS n FROM contact_tags`);
    const again = await app.get(DemoSeedService).run();
    expect(again).toMatchObject({ userId, created: false, seeded: false, contacts: first.contacts });
    expect(await Promise.all(tables.map((t) => count(`SELECT COUNT(*) AS n FROM ${t} WHERE user_id = ?`, [userId])))).toEqual(before);
    expect(await count(`SELECT COUNT(*) AS n FROM contact_tags`)).toBe(links);
    expect(await count(`SELECT COUNT(*) AS n FROM users WHERE email = ?`, [DEMO_EMAIL])).toBe(1);
  });
});
