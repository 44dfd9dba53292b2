import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import { IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { sha256Hex } from '../common/crypto/tokens';
import { FormError } from '../common/forms/validate-form';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { TransactionService } from '../database/transaction.service';
import type { Plan } from '../auth/user.entity';
import { ContactNotFoundError, isId } from '../contacts/crm.errors';
import { ApiKey, API_KEY_SCOPES, ApiKeyScope } from './api-key.entity';
import { generateApiKey, isWellFormedApiKey, visiblePrefix } from './api-key-format';

export interface ApiKeyView {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** Who is calling the API: the key and its owner. */
export interface ApiPrincipal {
  keyId: string;
  scope: ApiKeyScope;
  userId: string;
  plan: Plan;
  timezone: string;
}

const LAST_USED_EVERY_MS = 60_000;
/** Active (unrevoked) keys an account may hold; enforced where every key is made (settings page, CLI log-in). */
export const MAX_ACTIVE_KEYS = 25;

const toView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  scope: k.scope,
  prefix: k.prefix,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
  createdAt: k.createdAt,
});

@Injectable()
export class ApiKeysService implements BeforeApplicationShutdown, OnModuleInit {
  /** per instance: when this instance last wrote last_used_at for a key */
  private readonly lastWrite = new Map<string, number>();
  private readonly pendingWrites = new Set<Promise<unknown>>();

  constructor(
    private readonly tx: TransactionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
  ) {}

  /** "Also revoke all API keys" on a password reset */
  onModuleInit() {
    this.auth.registerCredentialRevoker((userId) => this.revokeAll(userId));
  }

  limitFor(plan: Plan): number {
    return plan === 'free' ? this.config.rateLimitFree : this.config.rateLimitPaid;
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    const rows = await this.tx.manager.getRepository(ApiKey).find({ where: { userId }, order: { createdAt: 'DESC' } });
    return rows.map(toView);
  }

  /** Creates a key; the plain key is returned once and never stored. */
  create(userId: string, rawName: unknown, rawScope: unknown): Promise<{ key: string; view: ApiKeyView }> {
    const name = typeof rawName === 'string' ? rawName.trim() : '';
    const errors: Record<string, string> = {};
    if (!name) errors.name = 'Give the key a name, e.g. the tool that will use it.';
    else if (name.length > 100) errors.name = 'Use at most 100 characters.';
    if (!API_KEY_SCOPES.includes(rawScope as ApiKeyScope)) errors.scope = 'Choose read or write.';
    if (Object.keys(errors).length) throw new FormError(errors);
    const key = generateApiKey();
    return this.tx.run(async (m) => {
      // the user's row is locked first, so two creations racing at key 25 take turns (SQLite's writes already do)
      if (m.connection.options.type === 'postgres') await m.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
      const active = await m.getRepository(ApiKey).count({ where: { userId, revokedAt: IsNull() } });
      if (active >= MAX_ACTIVE_KEYS) {
        throw new FormError({ name: `You have ${MAX_ACTIVE_KEYS} active keys, the most an account may hold. Revoke one you no longer use first.` });
      }
      const row = m.getRepository(ApiKey).create({
        id: randomUUID(),
        userId,
        name,
        scope: rawScope as ApiKeyScope,
        prefix: visiblePrefix(key),
        keyHash: sha256Hex(key),
        lastUsedAt: null,
        revokedAt: null,
        createdAt: this.clock.now(),
      });
      await m.getRepository(ApiKey).insert(row);
      return { key, view: toView(row) };
    });
  }

  revoke(userId: string, id: string): Promise<ApiKeyView> {
    return this.tx.run(async (m) => {
      // a malformed id is a 404, not a PostgreSQL uuid cast error (500)
      const row = isId(id) ? await m.getRepository(ApiKey).findOne({ where: { id, userId } }) : null;
      if (!row) throw new ContactNotFoundError('API key');
      if (!row.revokedAt) {
        row.revokedAt = this.clock.now();
        await m.getRepository(ApiKey).update({ id: row.id }, { revokedAt: row.revokedAt });
      }
      return toView(row);
    });
  }

  /** Revokes every active key of the user (offered with a password reset); returns how many. */
  async revokeAll(userId: string): Promise<number> {
    const res = await this.tx.run((m) => m.getRepository(ApiKey).update({ userId, revokedAt: IsNull() }, { revokedAt: this.clock.now() }));
    return res.affected ?? 0;
  }

  /** The principal for a presented key, or null. Revoked keys fail on their very next request. */
  async authenticate(presented: string): Promise<ApiPrincipal | null> {
    if (!isWellFormedApiKey(presented)) return null;
    // every API request runs this: plain SQL on the unique key_hash index (the query builder cost more than the query)
    const manager = this.tx.manager;
    const placeholder = manager.connection.options.type === 'postgres' ? '$1' : '?';
    const rows: Array<{ id: string; scope: ApiKeyScope; user_id: string; plan: Plan; timezone: string }> = await manager.query(
      `SELECT k.id AS id, k.scope AS scope, k.user_id AS user_id, u.plan AS plan, u.timezone AS timezone
         FROM api_keys k INNER JOIN users u ON u.id = k.user_id
        WHERE k.key_hash = ${placeholder} AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [sha256Hex(presented)],
    );
    const row = rows[0];
    if (!row) return null;
    this.markUsed(row.id);
    return { keyId: row.id, scope: row.scope, userId: row.user_id, plan: row.plan, timezone: row.timezone };
  }

  /** last_used_at is written at most once a minute per key, off the request path. */
  private markUsed(keyId: string) {
    const now = this.clock.now();
    const last = this.lastWrite.get(keyId) ?? 0;
    if (now.getTime() - last < LAST_USED_EVERY_MS) return;
    this.lastWrite.set(keyId, now.getTime());
    const write = this.tx
      .run((m) => m.getRepository(ApiKey).update({ id: keyId, revokedAt: IsNull() }, { lastUsedAt: now }))
      .catch(() => undefined)
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }

  /** A shutdown waits for the last-used writes still in flight, before the database connection closes. */
  async beforeApplicationShutdown() {
    await Promise.allSettled([...this.pendingWrites]);
  }
}
