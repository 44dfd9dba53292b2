import { Injectable } from '@nestjs/common';
import { UsersService } from '../auth/users.service';
import { toFollowUpView, toInteractionView } from '../contacts/contact.mapper';
import { FollowUp } from '../contacts/follow-up.entity';
import { Interaction } from '../contacts/interaction.entity';
import { TagsService } from '../tags/tags.service';
import { OwnedRowsReader } from './owned-rows.reader';

/**
 * One part of the JSON export: either a single object or a list streamed row by row.
 * `rows` must page through the table (never load it whole) and map entities to their public
 * shape: no password hashes, tokens or secrets.
 */
export type AccountExportSection =
  | { key: string; object: (userId: string) => Promise<unknown> }
  | { key: string; rows: (userId: string) => AsyncIterable<unknown> };

/**
 * What "everything the user owns" means for the JSON export. Later features add their tables
 * from their own module:
 *
 *   constructor(private readonly exports: AccountExportRegistry) {}
 *   onModuleInit() { this.exports.register({ key: 'webhooks', rows: (userId) => this.webhooks.exportRows(userId) }); }
 */
@Injectable()
export class AccountExportRegistry {
  private readonly sections: AccountExportSection[] = [];

  constructor(
    users: UsersService,
    tags: TagsService,
    reader: OwnedRowsReader,
  ) {
    this.register({
      key: 'account',
      object: async (userId) => {
        const u = await users.findById(userId);
        if (!u) return null;
        return {
          id: u.id,
          email: u.email,
          name: u.name,
          plan: u.plan,
          isAdmin: u.isAdmin,
          timezone: u.timezone,
          signupSource: u.signupSource,
          hasPassword: Boolean(u.passwordHash),
          github: u.githubId ? { id: u.githubId, login: u.githubLogin, avatarUrl: u.githubAvatarUrl } : null,
          lastLoginAt: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
          createdAt: new Date(u.createdAt).toISOString(),
          updatedAt: new Date(u.updatedAt).toISOString(),
        };
      },
    });
    this.register({ key: 'tags', rows: (userId) => iterate(tags.list(userId)) });
    this.register({ key: 'contacts', rows: (userId) => reader.contacts(userId) });
    this.register({
      key: 'interactions',
      rows: (userId) => mapRows(reader.rows(Interaction, userId), toInteractionView),
    });
    this.register({
      key: 'followUps',
      rows: (userId) => mapRows(reader.rows(FollowUp, userId), (f) => ({ ...toFollowUpView(f), isCadence: Boolean(f.isCadence) })),
    });
  }

  register(section: AccountExportSection): void {
    if (this.sections.some((s) => s.key === section.key)) throw new Error(`export section "${section.key}" is registered twice`);
    this.sections.push(section);
  }

  list(): readonly AccountExportSection[] {
    return this.sections;
  }
}

async function* iterate<T>(items: Promise<T[]> | T[]): AsyncGenerator<T> {
  yield* await items;
}

async function* mapRows<A, B>(rows: AsyncIterable<A>, map: (a: A) => B): AsyncGenerator<B> {
  for await (const row of rows) yield map(row);
}
