import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EncryptionService } from '../common/crypto/encryption.service';
import { hashPassword, verifyPassword } from '../common/crypto/password-hasher';
import { yieldToEventLoop } from '../common/event-loop';
import { FormError } from '../common/forms/validate-form';
import { TIME_ZONES } from '../common/forms/timezones';
import { TransactionService } from '../database/transaction.service';
import { Plan, User } from './user.entity';

export interface NewUser {
  email: string;
  name: string;
  password?: string;
  signupSource?: string | null;
  /** the browser's time zone from the sign-up form; ignored unless it is one we know */
  timezone?: string;
  github?: GithubIdentity;
  /** the seeded demo account: never the instance admin */
  neverAdmin?: boolean;
}

export interface GithubIdentity {
  id: string;
  login: string;
  avatarUrl: string | null;
  accessToken: string;
}

/** Rows per DELETE when an account is removed on SQLite: 500 contacts (FTS and counter triggers, cascades) take ~50–150 ms. */
const DELETE_SLICE = 500;

@Injectable()
export class UsersService {
  constructor(
    private readonly tx: TransactionService,
    private readonly encryption: EncryptionService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(User);
  }

  findById(id: string): Promise<User | null> {
    return this.repo.findOne({ where: { id } });
  }

  async hasAnyUser(): Promise<boolean> {
    return (await this.repo.count({ take: 1 })) > 0;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.repo.findOne({ where: { email: email.trim().toLowerCase() } });
  }

  findByGithubId(githubId: string): Promise<User | null> {
    return this.repo.findOne({ where: { githubId } });
  }

  /** The first account on an instance becomes its admin. */
  create(input: NewUser): Promise<User> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(User);
      // sign-ups take turns on PostgreSQL, so two first sign-ups cannot both become admin
      if (m.connection.options.type === 'postgres') await m.query(`SELECT pg_advisory_xact_lock(7331001)`);
      const email = input.email.trim().toLowerCase();
      if (await repo.exists({ where: { email } })) {
        throw new FormError({ email: 'An account with this e-mail address already exists. Log in instead.' });
      }
      // the first real account is the admin; the demo account never is (its password is public)
      const isFirst = !input.neverAdmin && !(await repo.exists({ where: { isAdmin: true } }));
      const user = repo.create({
        id: randomUUID(),
        email,
        name: input.name.trim(),
        passwordHash: input.password ? await hashPassword(input.password) : null,
        isAdmin: isFirst,
        plan: 'free',
        timezone: input.timezone && TIME_ZONES.includes(input.timezone) ? input.timezone : 'UTC',
        timezoneChosenAt: input.timezone && TIME_ZONES.includes(input.timezone) ? new Date() : null,
        signupSource: input.signupSource?.slice(0, 100) || null,
        githubId: null,
        githubLogin: null,
        githubAvatarUrl: null,
        githubTokenEncrypted: null,
        lastLoginAt: null,
      });
      if (input.github) this.applyGithub(user, input.github);
      return repo.save(user);
    });
  }

  private applyGithub(user: User, gh: GithubIdentity) {
    user.githubId = gh.id;
    user.githubLogin = gh.login;
    user.githubAvatarUrl = gh.avatarUrl;
    user.githubTokenEncrypted = this.encryption.encrypt(gh.accessToken);
  }

  linkGithub(userId: string, gh: GithubIdentity): Promise<User> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(User);
      const user = await repo.findOneOrFail({ where: { id: userId } });
      this.applyGithub(user, gh);
      return repo.save(user);
    });
  }

  githubToken(user: User): string | null {
    return user.githubTokenEncrypted ? this.encryption.decrypt(user.githubTokenEncrypted) : null;
  }

  async touchLogin(userId: string, at: Date): Promise<void> {
    await this.tx.run((m) => m.getRepository(User).update({ id: userId }, { lastLoginAt: at }));
  }

  updateProfile(userId: string, input: { name: string; email: string; timezone: string }): Promise<User> {
    return this.tx.run(async (m: EntityManager) => {
      const repo = m.getRepository(User);
      const user = await repo.findOneOrFail({ where: { id: userId } });
      const email = input.email.trim().toLowerCase();
      if (email !== user.email && (await repo.exists({ where: { email } }))) {
        throw new FormError({ email: 'Another account uses this e-mail address.' });
      }
      if (input.timezone !== user.timezone) user.timezoneChosenAt = new Date();
      Object.assign(user, { name: input.name.trim(), email, timezone: input.timezone });
      return repo.save(user);
    });
  }

  async changePassword(userId: string, currentPassword: string | undefined, newPassword: string): Promise<void> {
    const user = await this.repo.findOneOrFail({ where: { id: userId } });
    if (user.passwordHash && !(await verifyPassword(currentPassword ?? '', user.passwordHash))) {
      throw new FormError({ currentPassword: 'That is not your current password.' });
    }
    await this.setPassword(userId, newPassword);
  }

  async setPassword(userId: string, newPassword: string, m?: EntityManager): Promise<void> {
    const passwordHash = await hashPassword(newPassword);
    const run = (mm: EntityManager) => mm.getRepository(User).update({ id: userId }, { passwordHash });
    await (m ? run(m) : this.tx.run(run));
  }

  async setPlan(userId: string, plan: Plan): Promise<void> {
    await this.tx.run((m) => m.getRepository(User).update({ id: userId }, { plan }));
  }

  /**
   * Deletes the account after the owner typed its e-mail address: every row in every table with
   * a `user_id` column (found in the schema, so tables added by later features are covered even
   * where their foreign key does not cascade), then the users row, whose cascades take the rest
   * (rows owned through a parent, such as contact_tags). One transaction: all or nothing.
   */
  deleteAccount(userId: string, typedEmail: string): Promise<void> {
    return this.tx.run(async (m) => {
      const user = await m.getRepository(User).findOne({ where: { id: userId } });
      if (!user) return;
      const typed = typedEmail.trim().toLowerCase();
      if (!typed) throw new FormError({ email: 'Type your e-mail address to confirm.' });
      if (typed !== user.email) throw new FormError({ email: `That is not your e-mail address. Type ${user.email} to confirm.` });
      const postgres = m.connection.options.type === 'postgres';
      for (const table of await tablesWithUserId(m)) {
        const quoted = `"${table.replace(/"/g, '""')}"`;
        if (postgres) {
          await m.query(`DELETE FROM ${quoted} WHERE "user_id" = $1`, [userId]);
          continue;
        }
        // SQLite deletes synchronously: a big account (100,000 interactions, their FTS and counter
        // triggers) would hold up every request for seconds, so it goes in slices with a turn between.
        // A table without an index on user_id is scanned whole by each statement: one DELETE there.
        const indexed: unknown[] = await m.query(`SELECT 1 FROM pragma_index_list(?) il JOIN pragma_index_info(il.name) ii WHERE ii.seqno = 0 AND ii.name = 'user_id'`, [table]);
        if (!indexed.length) {
          await m.query(`DELETE FROM ${quoted} WHERE "user_id" = ?`, [userId]);
          continue;
        }
        for (;;) {
          const res = await m.queryRunner!.query(`DELETE FROM ${quoted} WHERE rowid IN (SELECT rowid FROM ${quoted} WHERE "user_id" = ? LIMIT ${DELETE_SLICE})`, [userId], true);
          if ((res.affected ?? 0) < DELETE_SLICE) break;
          await yieldToEventLoop();
        }
      }
      await m.getRepository(User).delete({ id: userId });
      // an instance keeps an admin: when the last one leaves, the longest-standing account takes over
      if (user.isAdmin && !(await m.getRepository(User).exists({ where: { isAdmin: true } }))) {
        const next = await m.getRepository(User).findOne({ where: {}, order: { createdAt: 'ASC' } });
        if (next) await m.getRepository(User).update({ id: next.id }, { isAdmin: true });
      }
    });
  }
}

/**
 * Every table (not view) other than users with a user_id column, from the database's own
 * catalogue, children before parents: deleting in this order never trips a foreign key that
 * does not cascade.
 */
export async function tablesWithUserId(m: EntityManager): Promise<string[]> {
  const postgres = m.connection.options.type === 'postgres';
  const rows: Array<{ name: string }> = postgres
    ? await m.query(
        `SELECT c.table_name AS name FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND c.column_name = 'user_id' AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name`,
      )
    : await m.query(`SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'user_id' ORDER BY m.name`);
  const edges: Array<{ child: string; parent: string }> = postgres
    ? await m.query(
        `SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
           JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
          WHERE k.contype = 'f' AND ch.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
      )
    : await m.query(`SELECT m.name AS child, f."table" AS parent FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`);
  const tables = rows.map((r) => r.name).filter((name) => name !== 'users');
  const children = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges) if (e.child !== e.parent && children.has(e.parent) && children.has(e.child)) children.get(e.parent)!.add(e.child);
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string) => {
    if (seen.has(t)) return;
    seen.add(t);
    for (const c of children.get(t) ?? []) visit(c);
    ordered.push(t);
  };
  tables.forEach(visit);
  return ordered;
}
