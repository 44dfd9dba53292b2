import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { IsNull, MoreThan } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Clock } from '../common/clock';
import { burnPasswordCheck, needsRehash, verifyPassword } from '../common/crypto/password-hasher';
import { clientKey } from '../common/api/client-key';
import { RateCounterService } from '../common/rate/rate-counter.service';
import { EmailVerificationToken } from './email-verification-token.entity';
import { randomToken, sha256Hex } from '../common/crypto/tokens';
import { MailerService } from '../common/mail/mailer.service';
import { TransactionService } from '../database/transaction.service';
import { LoginThrottleService } from './login-throttle.service';
import { DatabaseSessionStore } from './session.store';
import { PasswordResetToken } from './password-reset-token.entity';
import { User } from './user.entity';
import { EmailTakenError, GithubIdentity, UsersService } from './users.service';
import { SentryReporter } from '../common/errors/sentry-reporter';

/** The GitHub account is linked to another DevHub account already. */
export class GithubAlreadyLinkedError extends Error {}

/**
 * GitHub sign-in found an account with the same address that has not verified it: never joined
 * (anyone can type an address at sign-up), and no second account is made with that address.
 */
export class GithubUnverifiedMatchError extends Error {
  constructor(readonly email: string) {
    super('unverified account with this address');
  }
}

export const RESET_TTL_MS = 60 * 60 * 1000;
export const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** reset mails per address per hour, and reset requests per client per hour */
export const RESET_MAILS_PER_ADDRESS = 3;
export const RESET_REQUESTS_PER_CLIENT = 20;
/** "send again" verification mails per account per hour */
export const VERIFY_MAILS_PER_HOUR = 3;

export type ResetRequestResult = { ok: true } | { ok: false; retryAfter: number };
export type SignupResult = { created: true; user: User } | { created: false };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    private readonly counters: RateCounterService,
  ) {}

  private readonly credentialRevokers: Array<(userId: string) => Promise<number>> = [];

  /** Modules that issue long-lived credentials (API keys) register how to revoke them all, for "also revoke" on a reset. */
  registerCredentialRevoker(revoke: (userId: string) => Promise<number>): void {
    this.credentialRevokers.push(revoke);
  }

  /** Sends a mail in the background: a failure is logged and reported, never shown to the requester. */
  private mailInBackground(kind: string, to: string, subject: string, text: string): void {
    void this.mailer.send({ to, subject, text }).catch((err: unknown) => {
      this.logger.error(`${kind} mail failed: ${err instanceof Error ? err.message : String(err)}`);
      this.errors.report(err, { tags: { mail: kind } });
    });
  }

  /** After a password change or reset, every other session of the user ends. */
  endOtherSessions(userId: string, keepSid?: string): Promise<void> {
    return this.sessions.destroyUserSessions(userId, keepSid);
  }

  /**
   * Creates the account and, with SMTP, mails a verification link. An address that has an account
   * gets no second one and no error: its owner is mailed instead (as forgot-password does), so the
   * sign-up form does not tell who is registered.
   */
  async signup(input: { name: string; email: string; password: string; ref?: string; timezone?: string }, ip: string): Promise<SignupResult> {
    let user: User;
    try {
      user = await this.users.create({ name: input.name, email: input.email, password: input.password, signupSource: input.ref ?? null, timezone: input.timezone });
    } catch (err) {
      if (!(err instanceof EmailTakenError)) throw err;
      await this.requestPasswordReset(err.email, ip, 'signup');
      return { created: false };
    }
    await this.sendVerification(user);
    return { created: true, user };
  }

  async login(email: string, password: string, ip: string): Promise<LoginResult> {
    // the attempt is taken before the check, and given back when the password was right
    const ticket = await this.throttle.begin(email, ip);
    if (!ticket.ok) return { ok: false, reason: 'throttled', retryAfter: ticket.retryAfter };
    if (ticket.delayMs > 0) await sleep(ticket.delayMs);
    const user = await this.users.findByEmail(email);
    const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : (await burnPasswordCheck(password), false);
    // a disabled account answers like a wrong password (after the same hashing work)
    if (!user || !ok || user.disabledAt) {
      this.logger.warn('login failed');
      return { ok: false, reason: 'invalid' };
    }
    await ticket.giveBack();
    if (needsRehash(user.passwordHash)) await this.users.upgradePasswordHash(user.id, password, user.passwordHash!);
    await this.users.touchLogin(user.id, this.clock.now());
    return { ok: true, user };
  }

  get canResetPasswords(): boolean {
    return this.mailer.enabled;
  }

  /**
   * Answers the same, after the same work, whether or not the address has an account: the counters
   * are taken for every address, and looking the address up, writing the link and mailing it happen
   * after the answer. At most RESET_MAILS_PER_ADDRESS mails per address per hour (the rest are dropped
   * silently: the earlier links still work) and RESET_REQUESTS_PER_CLIENT requests per client per hour.
   */
  async requestPasswordReset(email: string, ip: string, via: 'forgot' | 'signup' = 'forgot'): Promise<ResetRequestResult> {
    const address = sha256Hex(email.trim().toLowerCase()).slice(0, 40);
    const client = await this.counters.take(`reset:c:${sha256Hex(clientKey(ip)).slice(0, 40)}`, HOUR_MS);
    if (client.count > RESET_REQUESTS_PER_CLIENT) return { ok: false, retryAfter: client.resetInSeconds };
    const perAddress = await this.counters.take(`reset:a:${address}`, HOUR_MS);
    if (!this.mailer.enabled || perAddress.count > RESET_MAILS_PER_ADDRESS) return { ok: true };
    setImmediate(() => {
      this.sendResetLink(email, via).catch((err: unknown) => {
        this.logger.error(`password reset failed: ${err instanceof Error ? err.message : String(err)}`);
        this.errors.report(err, { tags: { mail: 'password-reset' } });
      });
    });
    return { ok: true };
  }

  private async sendResetLink(email: string, via: 'forgot' | 'signup'): Promise<void> {
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
    const why =
      via === 'signup'
        ? `Someone (hopefully you) tried to create a DevHub account with this address, which already has one.\nLog in at ${this.config.baseUrl}/login, or, if you forgot your password, open this link within one hour to choose a new one:`
        : `Someone (hopefully you) asked to reset the password of your DevHub account.\nOpen this link within one hour to choose a new one:`;
    this.mailInBackground(
      'password-reset',
      user.email,
      via === 'signup' ? 'Your DevHub account' : 'Reset your DevHub password',
      `Hi ${user.name},\n\n${why}\n\n${link}\n\nIf you did not ask for this, ignore this e-mail: your password stays as it is.\n`,
    );
  }

  /** With SMTP: a single-use link, valid 24 h and stored hashed, that verifies the user's current address. */
  async sendVerification(user: User): Promise<boolean> {
    if (!this.mailer.enabled || user.emailVerifiedAt) return false;
    const token = randomToken(32);
    await this.tx.run((m) =>
      m.getRepository(EmailVerificationToken).insert({
        id: randomUUID(),
        userId: user.id,
        email: user.email,
        tokenHash: sha256Hex(token),
        expiresAt: new Date(this.clock.now().getTime() + VERIFY_TTL_MS),
        usedAt: null,
      }),
    );
    const link = `${this.config.baseUrl}/verify-email?token=${encodeURIComponent(token)}`;
    this.mailInBackground(
      'verify-email',
      user.email,
      'Confirm your e-mail address for DevHub',
      `Hi ${user.name},\n\nOpen this link within 24 hours to confirm that ${user.email} is your address:\n\n${link}\n\nIf you did not create a DevHub account or change its address, ignore this e-mail.\n`,
    );
    return true;
  }

  /** "Send again" on the account page: at most VERIFY_MAILS_PER_HOUR an hour per account. */
  async resendVerification(userId: string): Promise<{ sent: boolean; retryAfter?: number }> {
    const user = await this.users.findById(userId);
    if (!user || user.emailVerifiedAt || !this.mailer.enabled) return { sent: false };
    const taken = await this.counters.take(`verify:${userId}`, HOUR_MS);
    if (taken.count > VERIFY_MAILS_PER_HOUR) return { sent: false, retryAfter: taken.resetInSeconds };
    return { sent: await this.sendVerification(user) };
  }

  /** Uses a verification link once; true when it verified the address it was sent to. */
  verifyEmail(token: string): Promise<boolean> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(EmailVerificationToken);
      const row = await repo.findOne({ where: { tokenHash: sha256Hex(token), usedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) } });
      if (!row) return false;
      const claimed = await repo.update({ id: row.id, usedAt: IsNull() }, { usedAt: this.clock.now() });
      if (claimed.affected !== 1) return false;
      // a link sent to an earlier address verifies nothing once the address changed
      return this.users.markEmailVerified(row.userId, row.email, m);
    });
  }

  /**
   * After an address change: a link to the new address, a notice to the old one (which may be the
   * only sign of a takeover), the user's other sessions ended and outstanding reset links voided.
   */
  async afterEmailChange(user: User, previousEmail: string, keepSid?: string): Promise<void> {
    await this.endOtherSessions(user.id, keepSid);
    await this.tx.run((m) => m.getRepository(PasswordResetToken).update({ userId: user.id, usedAt: IsNull() }, { usedAt: this.clock.now() }));
    await this.sendVerification(user);
    if (this.mailer.enabled) {
      this.mailInBackground(
        'email-changed',
        previousEmail,
        'The e-mail address of your DevHub account was changed',
        `Hi ${user.name},\n\nThe e-mail address of your DevHub account was just changed from this address to another one, and every other session was logged out.\n\nIf you did not do this, reset your password at ${this.config.baseUrl}/forgot-password right away and contact the instance admin.\n`,
      );
    }
  }

  async isResetTokenValid(token: string): Promise<boolean> {
    return Boolean(await this.findResetToken(token));
  }

  private findResetToken(token: string) {
    return this.tx.manager.getRepository(PasswordResetToken).findOne({
      where: { tokenHash: sha256Hex(token), usedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) },
    });
  }

  /**
   * Returns the user id whose password was reset, or null when the link is unknown, used or expired.
   * The link reached the account's address, so the address counts as verified; log-in counters of
   * the address start afresh, and on request every API key is revoked.
   */
  async resetPassword(token: string, newPassword: string, opts: { revokeCredentials?: boolean } = {}): Promise<string | null> {
    const userId = await this.tx.run(async (m) => {
      const row = await this.findResetToken(token);
      if (!row) return null;
      const now = this.clock.now();
      // claim the link: of two requests racing with the same link, only one changes the row
      const claimed = await m.getRepository(PasswordResetToken).update({ id: row.id, usedAt: IsNull() }, { usedAt: now });
      if (claimed.affected !== 1) return null;
      // one reset ends every other outstanding link of this user as well
      await m.getRepository(PasswordResetToken).update({ userId: row.userId, usedAt: IsNull() }, { usedAt: now });
      await this.users.setPassword(row.userId, newPassword, m);
      const user = await this.users.findById(row.userId);
      if (user) await this.users.markEmailVerified(user.id, user.email, m);
      if (opts.revokeCredentials) for (const revoke of this.credentialRevokers) await revoke(row.userId);
      return row.userId;
    });
    const user = userId ? await this.users.findById(userId) : null;
    if (user) await this.throttle.clearAddress(user.email);
    return userId;
  }

  /**
   * GitHub sign-in: the account already linked to this GitHub id, else the account whose address is
   * verified and matches one of the GitHub account's verified addresses (linked now), else a new
   * account. An account whose address is not verified is never joined (anyone can sign up with any
   * address), and no second account is made with its address: GithubUnverifiedMatchError.
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
      if (!existing) continue;
      if (!existing.emailVerifiedAt) throw new GithubUnverifiedMatchError(email);
      return this.users.linkGithub(existing.id, profile);
    }
    const verified = profile.primaryEmail ?? profile.verifiedEmails[0];
    const email = verified ?? `${profile.id}+${profile.login}@users.noreply.github.com`;
    try {
      return await this.users.create({ email, name: profile.name || profile.login, github: profile, signupSource: 'github', emailVerified: Boolean(verified) });
    } catch (err) {
      if (err instanceof EmailTakenError) throw new GithubUnverifiedMatchError(err.email);
      throw err;
    }
  }
}
