import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EncryptionService } from '../common/crypto/encryption.service';
import { hashPassword, verifyPassword } from '../common/crypto/password-hasher';
import { FormError } from '../common/forms/validate-form';
import { TransactionService } from '../database/transaction.service';
import { Plan, User } from './user.entity';

export interface NewUser {
  email: string;
  name: string;
  password?: string;
  signupSource?: string | null;
  github?: GithubIdentity;
}

export interface GithubIdentity {
  id: string;
  login: string;
  avatarUrl: string | null;
  accessToken: string;
}

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
      const isFirst = (await repo.count()) === 0;
      const user = repo.create({
        id: randomUUID(),
        email,
        name: input.name.trim(),
        passwordHash: input.password ? await hashPassword(input.password) : null,
        isAdmin: isFirst,
        plan: 'free',
        timezone: 'UTC',
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
}
