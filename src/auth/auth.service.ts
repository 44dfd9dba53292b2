import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { IsNull, MoreThan } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Clock } from '../common/clock';
import { burnPasswordCheck, verifyPassword } from '../common/crypto/password-hasher';
import { randomToken, sha256Hex } from '../common/crypto/tokens';
import { MailerService } from '../common/mail/mailer.service';
import { TransactionService } from '../database/transaction.service';
import { LoginThrottleService } from './login-throttle.service';
import { DatabaseSessionStore } from './session.store';
import { PasswordResetToken } from './password-reset-token.entity';
import { User } from './user.entity';
import { GithubIdentity, UsersService } from './users.service';
import { SentryReporter } from '../common/errors/sentry-reporter';

/** The GitHub account is linked to another DevHub account already. */
export class GithubAlreadyLinkedError extends Error {}

export const RESET_TTL_MS = 60 * 60 * 1000;

export type LoginResult = { ok: true; user: User } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfter: number };

export interface GithubProfile extends GithubIdentity {
  name: string | null;
  verifiedEmails: string[];
  primaryEmail: string | null;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly mailer: MailerService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly sessions: DatabaseSessionStore,
    private readonly errors: SentryReporter,
  ) {}

  /** After a password change or reset, every other session of the user ends. */
  endOtherSessions(userId: string, keepSid?: string): Promise<void> {
    return this.sessions.destroyUserSessions(userId, keepSid);
  }

  signup(input: { name: string; email: string; password: string; ref?: string; timezone?: string }): Promise<User> {
    return this.users.create({ name: input.name, email: input.email, password: input.password, signupSource: input.ref ?? null, timezone: input.timezone });
  }

  async login(email: string, password: string, ip: string): Promise<LoginResult> {
    const retryAfter = await this.throttle.retryAfter(email, ip);
    if (retryAfter > 0) return { ok: false, reason: 'throttled', retryAfter };
    const user = await this.users.findByEmail(email);
    const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : (await burnPasswordCheck(password), false);
    if (!user || !ok) {
      await this.throttle.recordFailure(email, ip);
      this.logger.warn('login failed');
      return { ok: false, reason: 'invalid' };
    }
    await this.throttle.recordSuccess(email, ip);
    await this.users.touchLogin(user.id, this.clock.now());
    return { ok: true, user };
  }

  get canResetPasswords(): boolean {
    return this.mailer.enabled;
  }

  /**
   * Sends a single-use link valid for one hour. The caller shows the same answer whether or not
   * the address has an account, so this never reveals who is registered.
   */
  async requestPasswordReset(email: string): Promise<void> {
    if (!this.mailer.enabled) return;
    const user = await this.users.findByEmail(email);
    if (!user) return;
    const token = randomToken(32);
    await this.tx.run((m) =>
      m.getRepository(PasswordResetToken).save({
        id: randomUUID(),
        userId: user.id,
        tokenHash: sha256Hex(token),
        expiresAt: new Date(this.clock.now().getTime() + RESET_TTL_MS),
        usedAt: null,
      }),
    );
    const link = `${this.config.baseUrl}/reset-password?token=${encodeURIComponent(token)}`;
    // not awaited: an SMTP round trip that only registered addresses pay would tell them apart by response time
    void this.mailer
      .send({
        to: user.email,
        subject: 'Reset your DevHub password',
        text: `Hi ${user.name},\n\nSomeone (hopefully you) asked to reset the password of your DevHub account.\nOpen this link within one hour to choose a new one:\n\n${link}\n\nIf you did not ask for this, ignore this e-mail: your password stays as it is.\n`,
      })
      .catch((err: unknown) => {
        this.logger.error(`password reset mail failed: ${err instanceof Error ? err.message : String(err)}`);
        this.errors.report(err, { tags: { mail: 'password-reset' } });
      });
  }

  async isResetTokenValid(token: string): Promise<boolean> {
    return Boolean(await this.findResetToken(token));
  }

  private findResetToken(token: string) {
    return this.tx.manager.getRepository(PasswordResetToken).findOne({
      where: { tokenHash: sha256Hex(token), usedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) },
    });
  }

  /** Returns the user id whose password was reset, or null when the link is unknown, used or expired. */
  async resetPassword(token: string, newPassword: string): Promise<string | null> {
    return this.tx.run(async (m) => {
      const row = await this.findResetToken(token);
      if (!row) return null;
      const now = this.clock.now();
      // claim the link: of two requests racing with the same link, only one changes the row
      const claimed = await m.getRepository(PasswordResetToken).update({ id: row.id, usedAt: IsNull() }, { usedAt: now });
      if (claimed.affected !== 1) return null;
      // one reset ends every other outstanding link of this user as well
      await m.getRepository(PasswordResetToken).update({ userId: row.userId, usedAt: IsNull() }, { usedAt: now });
      await this.users.setPassword(row.userId, newPassword, m);
      return row.userId;
    });
  }

  /**
   * GitHub sign-in: the account already linked to this GitHub id, else the account with the same
   * verified e-mail (linked now), else a new account. Unverified e-mails never link accounts.
   */
  async githubSignIn(profile: GithubProfile, currentUserId?: string): Promise<User> {
    if (currentUserId) {
      const owner = await this.users.findByGithubId(profile.id);
      if (owner && owner.id !== currentUserId) throw new GithubAlreadyLinkedError();
      return this.users.linkGithub(currentUserId, profile);
    }
    const linked = await this.users.findByGithubId(profile.id);
    if (linked) return this.users.linkGithub(linked.id, profile);
    for (const email of profile.verifiedEmails) {
      const existing = await this.users.findByEmail(email);
      if (existing) return this.users.linkGithub(existing.id, profile);
    }
    const email = profile.primaryEmail ?? profile.verifiedEmails[0] ?? `${profile.id}+${profile.login}@users.noreply.github.com`;
    return this.users.create({ email, name: profile.name || profile.login, github: profile, signupSource: 'github' });
  }
}
