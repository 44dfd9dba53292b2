import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { LessThan } from 'typeorm';
import { RATE_LIMIT_STORAGE } from '../api-keys/api-keys.module';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { Clock } from '../common/clock';
import { EncryptionService } from '../common/crypto/encryption.service';
import { randomToken, sha256Hex } from '../common/crypto/tokens';
import { FormError } from '../common/forms/validate-form';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { TransactionService } from '../database/transaction.service';
import { CliAuthRequest } from './cli-auth-request.entity';
import { cleanDeviceName, generateUserCode, normaliseUserCode } from './cli-auth-code';
import { CliAuthError } from './cli-auth.errors';

export const CLI_AUTH_TTL_MS = 10 * 60_000;
/** how often the CLI is asked to poll */
export const CLI_POLL_INTERVAL_SECONDS = 2;
/** per client IP: new log-in requests, and polls */
export const CLI_CREATE_LIMIT = { limit: 20, ttlMs: 10 * 60_000 };
export const CLI_POLL_LIMIT = { limit: 120, ttlMs: 60_000 };
/** per signed-in user: codes looked up, approved or refused on /cli/authorize (a guesser runs out long before a hit) */
export const CLI_CODE_LIMIT = { limit: 20, ttlMs: 10 * 60_000 };
/** finished and expired requests are kept a day (for nothing but a clear "expired" answer), then deleted */
const KEEP_MS = 24 * 3600_000;

export interface CliAuthCreated {
  code: string;
  pollToken: string;
  verificationUrl: string;
  expiresAt: Date;
  interval: number;
}

export type CliAuthPollResult =
  | { status: 'pending' | 'refused' | 'expired' }
  | { status: 'approved'; apiKey: string; keyName: string; scope: string };

export interface CliAuthRequestView {
  code: string;
  deviceName: string;
  keyName: string;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * `devhub login` as a device authorization grant: the CLI creates a pending request and gets a short
 * code for the person and a long secret for itself; the signed-in person approves the code in the
 * browser; the CLI, polling with its secret, receives the new API key once. The code alone never
 * yields a key, so guessing one gains nothing; guesses are also limited per user.
 */
@Injectable()
export class CliAuthService {
  private readonly logger = new Logger('CliAuth');

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    private readonly keys: ApiKeysService,
    private readonly encryption: EncryptionService,
    @Inject(RATE_LIMIT_STORAGE) private readonly counters: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(rawDeviceName: string, client: string): Promise<CliAuthCreated> {
    await this.take(`create:${client}`, CLI_CREATE_LIMIT, 'Too many log-in requests from this address.');
    const now = this.clock.now();
    const deviceName = cleanDeviceName(rawDeviceName);
    const code = generateUserCode();
    const pollToken = `dhp_${randomToken(32)}`;
    const expiresAt = new Date(now.getTime() + CLI_AUTH_TTL_MS);
    await this.tx.run(async (m) => {
      const repo = m.getRepository(CliAuthRequest);
      await repo.delete({ expiresAt: LessThan(new Date(now.getTime() - KEEP_MS)) });
      await repo.insert({
        id: randomUUID(),
        codeHash: sha256Hex(code),
        pollTokenHash: sha256Hex(pollToken),
        deviceName,
        scope: 'write',
        status: 'pending',
        userId: null,
        apiKeyId: null,
        keyCiphertext: null,
        expiresAt,
        decidedAt: null,
        createdAt: now,
      });
    });
    return { code, pollToken, verificationUrl: this.verificationUrl(code), expiresAt, interval: CLI_POLL_INTERVAL_SECONDS };
  }

  verificationUrl(code: string): string {
    return `${this.config.baseUrl.replace(/\/+$/, '')}/cli/authorize?code=${encodeURIComponent(code)}`;
  }

  /** The CLI's poll: the key comes out exactly once, to the holder of the poll token. */
  async poll(pollToken: string, client: string): Promise<CliAuthPollResult> {
    await this.take(`poll:${client}`, CLI_POLL_LIMIT, 'Polling too fast.');
    const now = this.clock.now();
    const result = await this.tx.run(async (m): Promise<CliAuthPollResult | { orphanKey: { userId: string; keyId: string } }> => {
      const repo = m.getRepository(CliAuthRequest);
      const row = await repo.findOne({ where: { pollTokenHash: sha256Hex(pollToken) } });
      if (!row) throw new CliAuthError('unknown_request', 'No such log-in request. Run `devhub login` again.');
      if (row.status === 'refused') return { status: 'refused' };
      if (row.status === 'delivered') return { status: 'expired' };
      const expired = now >= row.expiresAt;
      if (row.status === 'pending') return { status: expired ? 'expired' : 'pending' };
      // approved: hand the key out once; the conditional update decides between two concurrent polls
      const taken = await repo.update({ id: row.id, status: 'approved' }, { status: 'delivered', keyCiphertext: null });
      if (!taken.affected) return { status: 'expired' };
      if (expired || !row.keyCiphertext) return { orphanKey: { userId: row.userId!, keyId: row.apiKeyId! } };
      return { status: 'approved', apiKey: this.encryption.decrypt(row.keyCiphertext), keyName: keyNameFor(row.deviceName), scope: row.scope };
    });
    if ('orphanKey' in result) {
      // approved, but the CLI came back too late: nobody holds this key, so it should not stay active
      await this.keys.revoke(result.orphanKey.userId, result.orphanKey.keyId).catch((err) => this.logger.warn(`could not revoke an undelivered CLI key: ${err}`));
      return { status: 'expired' };
    }
    return result;
  }

  /** The pending request behind a code, for the signed-in user who is about to approve it. */
  async describe(userId: string, rawCode: unknown): Promise<CliAuthRequestView> {
    await this.take(`code:${userId}`, CLI_CODE_LIMIT, 'Too many codes tried.');
    const { row, code } = await this.findPending(rawCode);
    return this.view(row, code);
  }

  async approve(userId: string, rawCode: unknown): Promise<CliAuthRequestView> {
    await this.take(`code:${userId}`, CLI_CODE_LIMIT, 'Too many codes tried.');
    return this.tx.run(async (m) => {
      const { row, code } = await this.findPending(rawCode);
      let created: Awaited<ReturnType<ApiKeysService['create']>>;
      try {
        created = await this.keys.create(userId, keyNameFor(row.deviceName), row.scope);
      } catch (err) {
        // e.g. the account's limit of active keys: the person sees why, and can revoke one and retry
        const message = err instanceof FormError ? Object.values(err.fields).join(' ') : err instanceof Error && 'getStatus' in err ? err.message : null;
        if (message) throw new CliAuthError('key_refused', message);
        throw err;
      }
      const decided = await m
        .getRepository(CliAuthRequest)
        .update(
          { id: row.id, status: 'pending' },
          { status: 'approved', userId, apiKeyId: created.view.id, keyCiphertext: this.encryption.encrypt(created.key), decidedAt: this.clock.now() },
        );
      // decided by someone else meanwhile: the transaction rolls the new key back
      if (!decided.affected) throw new CliAuthError('unknown_code', 'This code has already been used.');
      return this.view(row, code);
    });
  }

  async refuse(userId: string, rawCode: unknown): Promise<CliAuthRequestView> {
    await this.take(`code:${userId}`, CLI_CODE_LIMIT, 'Too many codes tried.');
    return this.tx.run(async (m) => {
      const { row, code } = await this.findPending(rawCode);
      const decided = await m.getRepository(CliAuthRequest).update({ id: row.id, status: 'pending' }, { status: 'refused', userId, decidedAt: this.clock.now() });
      if (!decided.affected) throw new CliAuthError('unknown_code', 'This code has already been used.');
      return this.view(row, code);
    });
  }

  private async findPending(rawCode: unknown): Promise<{ row: CliAuthRequest; code: string }> {
    const code = normaliseUserCode(rawCode);
    const row = code ? await this.tx.manager.getRepository(CliAuthRequest).findOne({ where: { codeHash: sha256Hex(code), status: 'pending' } }) : null;
    if (!row || this.clock.now() >= row.expiresAt) {
      throw new CliAuthError('unknown_code', 'No pending log-in has this code. Codes work once, for 10 minutes: run `devhub login` again for a new one.');
    }
    return { row, code: code! };
  }

  private view(row: CliAuthRequest, code: string): CliAuthRequestView {
    return {
      code,
      deviceName: row.deviceName,
      keyName: keyNameFor(row.deviceName),
      scope: row.scope,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    };
  }

  /** Counts first, checks after, in the shared rate-limit store (Redis when set). */
  private async take(key: string, rule: { limit: number; ttlMs: number }, message: string) {
    const r = await this.counters.increment(`cli-auth:${key}`, rule.ttlMs, rule.limit, 0, 'cli-auth');
    if (r.totalHits > rule.limit) {
      const wait = Math.max(1, r.timeToExpire);
      throw new CliAuthError('rate_limited', `${message} Try again in ${wait} s.`, wait);
    }
  }
}

export const keyNameFor = (deviceName: string) => `cli: ${deviceName}`;
