import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, MoreThan, Not } from 'typeorm';
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
  /** the address is known to be the user's (GitHub vouched for it) */
  emailVerified?: boolean;
}

/** The seeded demo account (its password is public): it never becomes the instance admin. */
export const DEMO_EMAIL = 'demo@devhub.local';

/** Sign-up with an address that has an account; the caller answers as if it worked (no account enumeration). */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super('email taken');
  }
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

  /** Users for /admin, newest first; `q` matches name or e-mail (case-insensitive substring). */
  search(q: string, limit: number, offset: number): Promise<[User[], number]> {
    const qb = this.repo.createQueryBuilder('u').orderBy('u.created_at', 'DESC').addOrderBy('u.id', 'ASC').take(limit).skip(offset);
    const term = q.trim().toLowerCase();
    if (term) qb.where('(LOWER(u.name) LIKE :t OR u.email LIKE :t)', { t: `%${term.replace(/[%_\\]/g, '')}%` });
    return qb.getManyAndCount();
  }

  async setDisabled(userId: string, disabledAt: Date | null): Promise<void> {
    await this.tx.run((m) => m.getRepository(User).update({ id: userId }, { disabledAt }));
  }

  async setAdmin(userId: string, isAdmin: boolean): Promise<void> {
    await this.tx.run((m) => m.getRepository(User).update({ id: userId }, { isAdmin }));
  }

  async hasAnyUser(): Promise<boolean> {
    return (await this.repo.count({ take: 1 })) > 0;
  }

  /** Users in id order after `afterId`, with what the scheduled daily digest needs to know. */
  pageForJobs(afterId: string | null, limit: number): Promise<Array<Pick<User, 'id' | 'name' | 'timezone' | 'plan' | 'digestUseModel'>>> {
    return this.repo.find({
      where: afterId ? { id: MoreThan(afterId) } : {},
      select: { id: true, name: true, timezone: true, plan: true, digestUseModel: true },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  async setDigestUseModel(userId: string, use: boolean): Promise<void> {
    await this.tx.run((m) => m.getRepository(User).update({ id: userId }, { digestUseModel: use }));
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
      if (await repo.exists({ where: { email } })) throw new EmailTakenError(email);
      // the first real account is the admin; the demo account never is (its password is public)
      const isFirst = !input.neverAdmin && email !== DEMO_EMAIL && !(await repo.exists({ where: { isAdmin: true } }));
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
        emailVerifiedAt: input.emailVerified ? new Date() : null,
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

  /**
   * Saves name, time zone and e-mail. A new address needs the current password (see confirmIdentity),
   * starts unverified, and the result says so: the caller mails both addresses and ends other sessions.
   */
  updateProfile(
    userId: string,
    input: { name: string; email: string; timezone: string },
    confirm: { currentPassword?: string; githubConfirmed: boolean },
  ): Promise<{ user: User; previousEmail: string | null }> {
    return this.tx.run(async (m: EntityManager) => {
      const repo = m.getRepository(User);
      const user = await repo.findOneOrFail({ where: { id: userId } });
      const email = input.email.trim().toLowerCase();
      const changing = email !== user.email;
      if (changing) {
        await this.confirmIdentity(user, confirm.currentPassword, confirm.githubConfirmed, 'change your e-mail address');
        if (await repo.exists({ where: { email } })) throw new FormError({ email: 'Another account uses this e-mail address.' });
      }
      const previousEmail = changing ? user.email : null;
      if (input.timezone !== user.timezone) user.timezoneChosenAt = new Date();
      Object.assign(user, { name: input.name.trim(), email, timezone: input.timezone });
      if (changing) user.emailVerifiedAt = null;
      return { user: await repo.save(user), previousEmail };
    });
  }

  /**
   * Sensitive changes (e-mail, deletion) need the current password; an account without one (GitHub
   * only) confirms through a GitHub sign-in made in the last few minutes.
   */
  async confirmIdentity(user: User, currentPassword: string | undefined, githubConfirmed: boolean, what: string): Promise<void> {
    if (user.passwordHash) {
      if (!currentPassword) throw new FormError({ currentPassword: `Enter your current password to ${what}.` });
      if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new FormError({ currentPassword: 'That is not your current password.' });
      return;
    }
    if (!githubConfirmed) throw new FormError({ currentPassword: `Confirm with GitHub to ${what}: sign in with GitHub again, then submit within 10 minutes.` });
  }

  async markEmailVerified(userId: string, email: string, m?: EntityManager): Promise<boolean> {
    const run = (mm: EntityManager) => mm.getRepository(User).update({ id: userId, email }, { emailVerifiedAt: new Date() });
    const res = await (m ? run(m) : this.tx.run(run));
    return (res.affected ?? 0) > 0;
  }

  /** Re-hashes a password stored with weaker parameters than today's (after a successful check). */
  async upgradePasswordHash(userId: string, password: string, oldHash: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    // only if nobody changed it meanwhile
    await this.tx.run((m) => m.getRepository(User).update({ id: userId, passwordHash: oldHash }, { passwordHash }));
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
   * Deletes the account once the owner confirmed it (current password, or a fresh GitHub sign-in for
   * an account without one): every row in every table with a `user_id` column (found in the schema,
   * so tables added by later features are covered even where their foreign key does not cascade),
   * then the users row, whose cascades take the rest (rows owned through a parent, such as
   * contact_tags). One transaction: all or nothing.
   */
  async deleteAccount(userId: string, confirm: { currentPassword?: string; githubConfirmed: boolean }): Promise<void> {
    const user = await this.findById(userId);
    if (!user) return;
    await this.confirmIdentity(user, confirm.currentPassword, confirm.githubConfirmed, 'delete your account');
    await this.removeAccount(userId);
  }

  /** The deletion itself, once the owner has confirmed (deleteAccount). */
  removeAccount(userId: string): Promise<void> {
    return this.tx.run(async (m) => {
      const user = await m.getRepository(User).findOne({ where: { id: userId } });
      if (!user) return;
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
      // an instance keeps an admin: when the last one leaves, the longest-standing account takes over,
      // never the seeded demo account (its password is public)
      if (user.isAdmin && !(await m.getRepository(User).exists({ where: { isAdmin: true } }))) {
        const next = await m.getRepository(User).findOne({ where: { email: Not(DEMO_EMAIL) }, order: { createdAt: 'ASC' } });
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
