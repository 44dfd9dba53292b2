import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEMO_EMAIL, UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { Contact } from '../contacts/contact.entity';
import { ContactsService } from '../contacts/contacts.service';
import { FollowUp } from '../contacts/follow-up.entity';
import { FollowUpsService } from '../contacts/follow-ups.service';
import { InteractionsService } from '../contacts/interactions.service';
import { TransactionService } from '../database/transaction.service';
import { FormError } from '../common/forms/validate-form';
import { ProfilesService } from '../profiles/profiles.service';
import { TagsService } from '../tags/tags.service';
import { buildDemoPlan } from './demo-data';

export { DEMO_EMAIL };
export const DEMO_PASSWORD = 'demo-password';
export const DEMO_TIMEZONE = 'Europe/Berlin';
/** The demo account's public page is /@demo, unless a real account holds that name already. */
export const DEMO_USERNAME = 'demo';

export interface DemoSeedResult {
  userId: string;
  /** the account was created by this run */
  created: boolean;
  /** this run filled the CRM data (false: the account already had contacts, left as they were) */
  seeded: boolean;
  contacts: number;
  interactions: number;
  followUps: number;
  tags: number;
  /** the public profile this run created (null: none, or the username was taken) */
  profile: string | null;
}

/**
 * Fills the demo account with ~200 contacts, a year of interactions, tags, cadences and follow-ups.
 *
 * Safe to run again: the account's password is reset to the documented one, and when the account
 * already has contacts they are left exactly as they are (nothing is duplicated or deleted). To
 * start the demo over, delete the account at /settings/account (or the database) and seed again.
 *
 * Everything goes through the services, so search text, last-interaction times, cadence follow-ups
 * and outbox events are what the app itself would write. The only direct writes are timestamps
 * the services stamp with "now": when each contact was added and when a done follow-up was done,
 * so the demo has a believable history (and cadences can lapse).
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly tx: TransactionService,
    private readonly users: UsersService,
    private readonly contacts: ContactsService,
    private readonly interactions: InteractionsService,
    private readonly followUps: FollowUpsService,
    private readonly tags: TagsService,
    private readonly profiles: ProfilesService,
    private readonly clock: Clock,
  ) {}

  /** One transaction: a failed seed leaves nothing behind, and SQLite commits once (fast). */
  run(): Promise<DemoSeedResult> {
    return this.tx.run(async (m) => {
      const started = Date.now();
      let user = await this.users.findByEmail(DEMO_EMAIL);
      const created = !user;
      if (user) {
        await this.users.setPassword(user.id, DEMO_PASSWORD, m);
      } else {
        const fresh = await this.users.create({ email: DEMO_EMAIL, name: 'Demo Developer', password: DEMO_PASSWORD, signupSource: 'seed', neverAdmin: true });
        ({ user } = await this.users.updateProfile(fresh.id, { name: fresh.name, email: fresh.email, timezone: DEMO_TIMEZONE }, { githubConfirmed: false }));
      }
      const existing = await this.contacts.count(user.id);
      if (existing > 0) {
        this.logger.log(`demo account already has ${existing} contacts; left as they are, password reset`);
        return { userId: user.id, created, seeded: false, contacts: existing, interactions: 0, followUps: 0, tags: 0, profile: null };
      }
      const counts = await this.fill(m, user.id, user.timezone || DEMO_TIMEZONE);
      const profile = await this.publishProfile(user.id);
      this.logger.log(`demo account filled in ${Date.now() - started} ms: ${JSON.stringify({ ...counts, profile })}`);
      return { userId: user.id, created, seeded: true, ...counts, profile };
    });
  }

  /** A public profile page (with its QR code and vCard) to show off; skipped if the name is taken. */
  private async publishProfile(userId: string): Promise<string | null> {
    try {
      const { username } = await this.profiles.save(userId, {
        username: DEMO_USERNAME,
        isPublic: true,
        displayName: 'Demo Developer',
        headline: 'Full-stack developer and open-source maintainer (a DevHub demo account)',
        bio: 'I build **developer tools** in TypeScript and Rust, maintain a few small libraries and speak at meetups.\n\nThis page is what every DevHub user gets: scan the QR code or save the contact card.',
        bioFormat: 'markdown',
        location: 'Berlin',
        website: 'https://example.com',
        links: { github: 'devhub-demo' },
      });
      return username;
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      this.logger.warn(`demo profile not created: ${Object.values(err.fields).join(' ')}`);
      return null;
    }
  }

  private async fill(m: EntityManager, userId: string, timeZone: string) {
    const plan = buildDemoPlan({ now: this.clock.now(), timeZone });
    const tagNames = new Set<string>();
    let interactions = 0;
    let followUps = 0;
    for (const c of plan) {
      const contact = await this.contacts.create(userId, c.input);
      for (const tag of c.tags) {
        await this.tags.addToContact(userId, contact.id, tag);
        tagNames.add(tag);
      }
      // before the interactions: the cadence is due N days after the later of "added" and "last contact"
      await m.getRepository(Contact).update({ id: contact.id, userId }, { createdAt: c.createdAt, updatedAt: c.createdAt });
      for (const i of c.interactions) {
        await this.interactions.create(userId, contact.id, { type: i.type, occurredAt: i.occurredAt.toISOString(), summary: i.summary }, timeZone);
        interactions++;
      }
      for (const f of c.followUps) {
        const fu = await this.followUps.create(userId, contact.id, { dueAt: f.dueAt.toISOString(), note: f.note }, timeZone);
        if (f.completedAt) {
          await this.followUps.complete(userId, fu.id);
          await m.getRepository(FollowUp).update({ id: fu.id, userId }, { completedAt: f.completedAt, updatedAt: f.completedAt });
        }
        followUps++;
      }
    }
    return { contacts: plan.length, interactions, followUps, tags: tagNames.size };
  }
}
