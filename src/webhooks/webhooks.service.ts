import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { Clock } from '../common/clock';
import { EncryptionService } from '../common/crypto/encryption.service';
import { FormError } from '../common/forms/validate-form';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { ContactNotFoundError, isId } from '../contacts/crm.errors';
import { TransactionService } from '../database/transaction.service';
import { OutboxEvent } from '../outbox/outbox-event.entity';
import { EVENT_TYPES } from '../outbox/outbox.service';
import { ForbiddenTargetError, isForbiddenAddress, resolveSafeTarget } from './ssrf-guard';
import { newWebhookSecret } from './signature';
import { WEBHOOK_RESOLVER, WebhookResolver } from './webhook-sender';
import { DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entity';

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
export const LOG_RETENTION_DAYS = 30;
const EVENT_PATTERN = /^([a-z]+)\.(\*|[a-z_]+)$/;

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  rotating: boolean;
  createdAt: string;
}

export interface EndpointInput {
  url: unknown;
  description?: unknown;
  events?: unknown;
  enabled?: unknown;
}

export interface AttemptLogItem {
  id: string;
  deliveryId: string;
  messageId: string;
  eventType: string;
  attempt: number;
  succeeded: boolean;
  statusCode: number | null;
  durationMs: number;
  responseBody: string;
  error: string | null;
  createdAt: Date;
  deliveryStatus: DeliveryStatus;
}

export function toEndpointView(e: WebhookEndpoint, now = new Date()): EndpointView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.eventTypes,
    enabled: Boolean(e.enabled),
    disabledReason: e.disabledReason,
    consecutiveFailures: e.consecutiveFailures,
    rotating: Boolean(e.previousSecretEncrypted && e.previousSecretExpiresAt && new Date(e.previousSecretExpiresAt) > now),
    createdAt: new Date(e.createdAt).toISOString(),
  };
}

/** Does an endpoint subscribed to `patterns` want `type`? Empty = all; `contact.*` = every contact event. */
export function subscribes(patterns: string[], type: string): boolean {
  if (!patterns.length || type === 'webhook.test') return true;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly tx: TransactionService,
    private readonly encryption: EncryptionService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_RESOLVER) private readonly resolver: WebhookResolver,
  ) {}

  private async owned(userId: string, id: string): Promise<WebhookEndpoint> {
    const e = isId(id) ? await this.tx.manager.getRepository(WebhookEndpoint).findOne({ where: { id, userId } }) : null;
    if (!e) throw new ContactNotFoundError('Webhook endpoint');
    return e;
  }

  /** Validates URL and events; refuses targets that resolve to private addresses (unless allowed). */
  async validate(input: EndpointInput): Promise<{ url: string; description: string; events: string[] }> {
    const errors: Record<string, string> = {};
    const rawUrl = typeof input.url === 'string' ? input.url.trim() : '';
    let url: URL | null = null;
    try {
      url = new URL(rawUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') errors.url = 'Use an http:// or https:// URL.';
      else if (url.username || url.password) errors.url = 'Leave user names and passwords out of the URL.';
    } catch {
      errors.url = 'Enter a full URL such as https://example.com/hooks/devhub.';
    }
    if (rawUrl.length > 2000) errors.url = 'Use at most 2,000 characters.';
    const description = typeof input.description === 'string' ? input.description.trim() : '';
    if (description.length > 200) errors.description = 'Use at most 200 characters.';
    const rawEvents = input.events === undefined || input.events === null || input.events === '' ? [] : Array.isArray(input.events) ? input.events : [input.events];
    const events = [...new Set(rawEvents.map((e) => String(e).trim()).filter(Boolean))];
    // a wildcard must name a family that exists (contact.*, followup.*), or it would silently match nothing
    const isWildcard = (e: string) => EVENT_PATTERN.test(e) && e.endsWith('.*') && EVENT_TYPES.some((type) => type.startsWith(e.slice(0, -1)));
    const bad = events.filter((e) => e !== '*' && !(EVENT_TYPES as readonly string[]).includes(e) && !isWildcard(e));
    if (bad.length) errors.events = `Unknown event type: ${bad.join(', ')}. Use ${EVENT_TYPES.join(', ')} or a wildcard such as contact.*`;
    if (events.length > 50) errors.events = 'Choose at most 50 event types.';
    if (!errors.url && url && !this.config.webhookAllowPrivate) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isForbiddenAddress(host)) errors.url = `${host} is a private or reserved address; DevHub does not send webhooks there.`;
      else if (!isIP(host)) {
        try {
          await resolveSafeTarget(url, false, (h) => this.resolver.resolve(h));
        } catch (err) {
          // a name that does not resolve yet is accepted; one that resolves privately is not
          if (err instanceof ForbiddenTargetError && err.forbiddenAddress) errors.url = err.message;
        }
      }
    }
    if (Object.keys(errors).length) throw new FormError(errors);
    return { url: url!.toString(), description, events: events.includes('*') ? [] : events };
  }

  async list(userId: string): Promise<EndpointView[]> {
    return (await this.page(userId, 1000, 0)).items;
  }

  async page(userId: string, limit: number, offset: number): Promise<{ items: EndpointView[]; total: number }> {
    const [rows, total] = await this.tx.manager
      .getRepository(WebhookEndpoint)
      .findAndCount({ where: { userId }, order: { createdAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    const now = this.clock.now();
    return { items: rows.map((r) => toEndpointView(r, now)), total };
  }

  async get(userId: string, id: string): Promise<EndpointView> {
    return toEndpointView(await this.owned(userId, id), this.clock.now());
  }

  /** Creates an endpoint; its secret is returned once and stored encrypted. */
  async create(userId: string, input: EndpointInput): Promise<{ endpoint: EndpointView; secret: string }> {
    const valid = await this.validate(input);
    const secret = newWebhookSecret();
    return this.tx.run(async (m) => {
      const now = this.clock.now();
      const row = m.getRepository(WebhookEndpoint).create({
        id: randomUUID(),
        userId,
        url: valid.url,
        description: valid.description,
        eventTypes: valid.events,
        enabled: true,
        secretEncrypted: this.encryption.encrypt(secret),
        previousSecretEncrypted: null,
        previousSecretExpiresAt: null,
        consecutiveFailures: 0,
        disabledReason: null,
        createdAt: now,
        updatedAt: now,
      });
      await m.getRepository(WebhookEndpoint).insert(row);
      return { endpoint: toEndpointView(row, now), secret };
    });
  }

  async update(userId: string, id: string, input: EndpointInput): Promise<EndpointView> {
    const valid = await this.validate(input);
    return this.tx.run(async (m) => {
      const row = await this.owned(userId, id);
      row.url = valid.url;
      row.description = valid.description;
      row.eventTypes = valid.events;
      if (input.enabled !== undefined) this.applyEnabled(row, input.enabled === true || input.enabled === 'true' || input.enabled === 'on');
      row.updatedAt = this.clock.now();
      await m.getRepository(WebhookEndpoint).save(row);
      return toEndpointView(row, this.clock.now());
    });
  }

  private applyEnabled(row: WebhookEndpoint, enabled: boolean) {
    row.enabled = enabled;
    if (enabled) {
      row.disabledReason = null;
      row.consecutiveFailures = 0;
    } else if (!row.disabledReason) row.disabledReason = 'Turned off by you';
  }

  async setEnabled(userId: string, id: string, enabled: boolean): Promise<EndpointView> {
    return this.tx.run(async (m) => {
      const row = await this.owned(userId, id);
      this.applyEnabled(row, enabled);
      row.updatedAt = this.clock.now();
      await m.getRepository(WebhookEndpoint).save(row);
      return toEndpointView(row, this.clock.now());
    });
  }

  /** Events raised while the endpoint was turned off (kept as skipped deliveries). */
  async missedCount(userId: string, id: string): Promise<number> {
    const row = await this.owned(userId, id);
    return this.tx.manager.getRepository(WebhookDelivery).count({ where: { endpointId: row.id, userId, status: 'skipped' } });
  }

  /**
   * "Send the N events missed since it was turned off": the skipped deliveries of an endpoint that
   * is on again become due now, in the order they were raised (the dispatcher sends by due time,
   * then creation). Returns how many.
   */
  async sendMissed(userId: string, id: string): Promise<number> {
    return this.tx.run(async (m) => {
      const row = await this.owned(userId, id);
      if (!row.enabled) throw new FormError({ enabled: 'Turn the endpoint on first.' });
      const now = this.clock.now();
      const res = await m
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({ status: 'pending', nextAttemptAt: now, lockedUntil: null, lastError: null, updatedAt: now })
        .where('endpoint_id = :id AND user_id = :userId AND status = :skipped', { id: row.id, userId, skipped: 'skipped' })
        .updateEntity(false)
        .execute();
      return res.affected ?? 0;
    });
  }

  /** New secret; the old one keeps signing alongside for 24 hours so receivers can switch over. */
  async rotateSecret(userId: string, id: string): Promise<{ endpoint: EndpointView; secret: string }> {
    const secret = newWebhookSecret();
    return this.tx.run(async (m) => {
      const row = await this.owned(userId, id);
      const now = this.clock.now();
      row.previousSecretEncrypted = row.secretEncrypted;
      row.previousSecretExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      row.secretEncrypted = this.encryption.encrypt(secret);
      row.updatedAt = now;
      await m.getRepository(WebhookEndpoint).save(row);
      return { endpoint: toEndpointView(row, now), secret };
    });
  }

  async remove(userId: string, id: string): Promise<void> {
    await this.tx.run(async (m) => {
      const row = await this.owned(userId, id);
      await m.getRepository(WebhookEndpoint).delete({ id: row.id, userId });
    });
  }

  /** The delivery log of one endpoint: every attempt, newest first, optionally by outcome. */
  async log(userId: string, endpointId: string, filter: 'all' | 'succeeded' | 'failed' | 'pending', limit: number, offset: number): Promise<{ items: AttemptLogItem[]; total: number }> {
    await this.owned(userId, endpointId);
    const qb = this.tx.manager
      .getRepository(WebhookAttempt)
      .createQueryBuilder('a')
      .innerJoin(WebhookDelivery, 'd', 'd.id = a.delivery_id')
      .where('a.endpoint_id = :endpointId AND a.user_id = :userId', { endpointId, userId });
    if (filter === 'succeeded') qb.andWhere('a.succeeded = :yes', { yes: true });
    if (filter === 'failed') qb.andWhere('a.succeeded = :no', { no: false });
    if (filter === 'pending') qb.andWhere('d.status IN (:...open)', { open: ['pending', 'retrying'] });
    const total = await qb.clone().getCount();
    const rows = await qb
      .select([
        'a.id AS id',
        'a.delivery_id AS delivery_id',
        'd.message_id AS message_id',
        'd.event_type AS event_type',
        'd.status AS delivery_status',
        'a.attempt AS attempt',
        'a.succeeded AS succeeded',
        'a.status_code AS status_code',
        'a.duration_ms AS duration_ms',
        'a.response_body AS response_body',
        'a.error AS error',
        'a.created_at AS created_at',
      ])
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.attempt', 'DESC')
      .limit(limit)
      .offset(offset)
      .getRawMany();
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        deliveryId: r.delivery_id,
        messageId: r.message_id,
        eventType: r.event_type,
        attempt: Number(r.attempt),
        succeeded: Boolean(r.succeeded),
        statusCode: r.status_code === null ? null : Number(r.status_code),
        durationMs: Number(r.duration_ms),
        responseBody: r.response_body,
        error: r.error,
        createdAt: typeof r.created_at === 'string' ? new Date(r.created_at.includes('T') ? r.created_at : `${r.created_at.replace(' ', 'T')}Z`) : r.created_at,
        deliveryStatus: r.delivery_status,
      })),
    };
  }

  /**
   * Old delivery logs go after 30 days (the webhooks job calls this hourly): finished deliveries
   * with their attempts, and outbox events fanned out before then (their deliveries carry the body).
   * Deliveries still being retried stay. Returns how many deliveries went.
   */
  async purgeOldLogs(now = this.clock.now()): Promise<number> {
    const cutoff = new Date(now.getTime() - LOG_RETENTION_DAYS * 86_400_000);
    return this.tx.run(async (m) => {
      await m.getRepository(OutboxEvent).delete({ dispatchedAt: LessThan(cutoff) });
      const old = await m.getRepository(WebhookDelivery).find({
        where: { createdAt: LessThan(cutoff), status: In(['succeeded', 'failed', 'skipped'] as DeliveryStatus[]) },
        select: { id: true },
        take: 10_000,
      });
      if (!old.length) return 0;
      const ids = old.map((d) => d.id);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await m.getRepository(WebhookAttempt).delete({ deliveryId: In(chunk) });
        await m.getRepository(WebhookDelivery).delete({ id: In(chunk) });
      }
      return ids.length;
    });
  }
}
