import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock';
import { EncryptionService } from '../common/crypto/encryption.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { ContactNotFoundError, isId } from '../contacts/crm.errors';
import { TransactionService } from '../database/transaction.service';
import { NotificationsService } from '../notifications/notifications.service';
import { signWebhook } from './signature';
import { SendResult, WebhookSender } from './webhook-sender';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entity';
import { SentryReporter } from '../common/errors/sentry-reporter';
import { WebhookFanOut } from './webhook-fan-out';
import { LEASE_MS, LeaseHeartbeat } from './webhook-leases';

const FAN_OUT_BATCH = 500;
/** candidate rows read per claim query */
const CLAIM_BATCH = 200;
/** sends in flight in this process */
const CONCURRENCY = 32;
/** sends in flight to one endpoint */
const PER_ENDPOINT = 8;
/**
 * Deliveries of one endpoint claimed by this process (in flight or waiting): a dead endpoint,
 * answering nothing within the timeout, holds at most this many while others go ahead.
 */
const HELD_PER_ENDPOINT = PER_ENDPOINT * 4;
/** deliveries claimed by this process at most */
const MAX_HELD = 1000;
/**
 * A claimed delivery is only started while this much of its lease is left. The heartbeat renews
 * the leases of everything held every few seconds, so this only trips when renewing fails (the
 * database is away): then the claim is left to whoever gets it next.
 */
const LEASE_MARGIN_MS = 2_000;
const OPEN = ['pending', 'retrying'];
/** attempt outcomes written per transaction at most */
const RECORD_BATCH = 500;
const FLUSH_DELAY_MS = 5;

export interface AttemptOutcome {
  deliveryId: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  status: WebhookDelivery['status'];
}

/** A claimed delivery, as much of it as an attempt needs. */
interface Claimed {
  id: string;
  endpointId: string;
  userId: string;
  messageId: string;
  payload: string;
  attempts: number;
  leaseUntil: number;
  /** the endpoint as loaded with the claim; undefined when it no longer exists */
  state: EndpointState | undefined;
}

interface Unrecorded {
  c: Claimed;
  state: EndpointState;
  result: SendResult;
  resolve: (o: AttemptOutcome) => void;
  reject: (err: unknown) => void;
}

interface EndpointState {
  endpoint: WebhookEndpoint;
  secret: string;
  previous: { secret: string; until: number } | null;
}

/**
 * Outbox → deliveries → attempts. All state lives in the database (deliveries carry their next
 * attempt time and a lease), so a restart in the middle of a retry schedule loses nothing and
 * several instances can share the work. Delivery is at least once: receivers de-duplicate on
 * `webhook-id`.
 *
 * Claimed deliveries run in one pool per process with a cap per endpoint, and the pool refills as
 * sends finish rather than batch by batch: a slow or dead endpoint occupies at most PER_ENDPOINT
 * sends and HELD_PER_ENDPOINT claims, and never holds up the deliveries to other endpoints.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  /** endpoint id → deliveries claimed and waiting to be sent */
  private readonly queues = new Map<string, Claimed[]>();
  /** endpoint id → sends in flight */
  private readonly inFlight = new Map<string, number>();
  /** endpoint id → deliveries held (waiting or in flight) */
  private readonly heldBy = new Map<string, number>();
  private readonly held = new Set<string>();
  private readonly endpoints = new Map<string, EndpointState>();
  private running = 0;
  private waiting = 0;
  private started = 0;
  private pulling: Promise<number> | null = null;
  private idleWaiters: (() => void)[] = [];
  private stopping = false;
  private readonly decrypted = new Map<string, string>();
  private unrecorded: Unrecorded[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing = false;

  constructor(
    private readonly tx: TransactionService,
    private readonly sender: WebhookSender,
    private readonly encryption: EncryptionService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly errors: SentryReporter,
    private readonly fanOutStep: WebhookFanOut,
  ) {
    this.leases = new LeaseHeartbeat(tx, clock, () => [...this.held], (err) => this.logger.warn(`could not renew webhook leases: ${(err as Error).message}`));
  }

  private readonly leases: LeaseHeartbeat;

  /** A failure nobody expected in the background work: logged and reported (never thrown on). */
  private crashed(what: string, err: unknown) {
    this.logger.error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    this.errors.report(err, { tags: { job: 'deliver-webhooks' } });
  }

  get maxAttempts(): number {
    return this.config.webhookRetryDelaysMs.length + 1;
  }

  private get isPostgres(): boolean {
    return this.tx.manager.connection.options.type === 'postgres';
  }

  /** Turns undispatched outbox events into deliveries: one per subscribed endpoint (see WebhookFanOut). */
  fanOut(): Promise<number> {
    return this.fanOutStep.run(FAN_OUT_BATCH);
  }

  /** For the scheduled job: fan out what is waiting and start what is due, without waiting for the sends. */
  async tick(): Promise<void> {
    for (let i = 0; i < 20 && !this.stopping; i++) {
      if ((await this.fanOut()) < FAN_OUT_BATCH) break;
    }
    if (!this.stopping) await this.pull();
  }

  /** Claims due deliveries and attempts them; resolves when nothing due is left (tests and the bench). */
  async deliverDue(): Promise<number> {
    const before = this.started;
    await this.pull();
    await this.whenIdle();
    return this.started - before;
  }

  /** Fan out and deliver until nothing is due now (tests and the bench call this). */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const fanned = await this.fanOut();
      const delivered = await this.deliverDue();
      if (!fanned && !delivered) return;
    }
  }

  /** Renews the leases of every delivery held here (the heartbeat does it every few seconds). */
  renewLeases(): Promise<number> {
    return this.leases.beat();
  }

  /** Resolves once nothing is claimed, in flight or being claimed in this process. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.held.size === 0 && this.running === 0 && !this.pulling && !this.flushing && !this.unrecorded.length;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Shutdown: no new claims; sends in flight finish (they end within the timeout); waiting claims are handed back. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.leases.stop();
    const waiting = [...this.queues.values()].flat();
    this.queues.clear();
    this.waiting = 0;
    for (const c of waiting) this.release(c);
    if (waiting.length) {
      await this.tx
        .run((m) => m.getRepository(WebhookDelivery).update({ id: In(waiting.map((c) => c.id)) }, { lockedUntil: null }))
        .catch((err) => this.logger.warn(`could not hand back ${waiting.length} claimed deliveries: ${(err as Error).message}`));
    }
    if (this.pulling) await this.pulling.catch(() => undefined);
    await this.whenIdle();
  }

  private release(c: Claimed): void {
    this.held.delete(c.id);
    const n = (this.heldBy.get(c.endpointId) ?? 1) - 1;
    if (n > 0) this.heldBy.set(c.endpointId, n);
    else {
      this.heldBy.delete(c.endpointId);
      this.endpoints.delete(c.endpointId); // loaded afresh with its next claim
    }
  }

  /** Claims as many due deliveries as the pool takes; coalesces concurrent calls. */
  private pull(): Promise<number> {
    if (this.stopping) return Promise.resolve(0);
    if (this.pulling) return this.pulling;
    const run = (async () => {
      let claimed = 0;
      try {
        for (let round = 0; round < 50 && !this.stopping && this.held.size < MAX_HELD; round++) {
          const saturated = [...this.heldBy].filter(([, n]) => n >= HELD_PER_ENDPOINT).map(([id]) => id);
          const want = Math.min(CLAIM_BATCH, MAX_HELD - this.held.size);
          const got = await this.claim(want, saturated);
          claimed += got.claimed;
          if (got.candidates < want || !got.claimed) break;
        }
      } finally {
        this.pulling = null;
      }
      return claimed;
    })();
    this.pulling = run;
    run.catch((err) => this.crashed('claiming webhook deliveries failed', err)).finally(() => {
      this.pump();
      this.checkIdle();
    });
    return run;
  }

  /**
   * One claim: read due candidates (skipping endpoints this process already holds enough of),
   * keep what fits under the per-endpoint cap, and lease those with one UPDATE that re-checks
   * the lease, so that of several instances exactly one gets each delivery.
   */
  private async claim(want: number, saturated: string[]): Promise<{ candidates: number; claimed: number }> {
    const now = this.clock.now();
    // one query per status: each walks the (status, next_attempt_at) index in order and stops at
    // the limit, where `status IN (…) ORDER BY next_attempt_at` would sort every due row first
    const due = (status: string) => {
      const qb = this.tx.manager
        .getRepository(WebhookDelivery)
        .createQueryBuilder('d')
        .select(['d.id', 'd.endpointId', 'd.nextAttemptAt'])
        .where('d.status = :status', { status })
        .andWhere('d.next_attempt_at <= :now', { now })
        .andWhere('(d.locked_until IS NULL OR d.locked_until < :now)', { now });
      if (saturated.length) qb.andWhere('d.endpoint_id NOT IN (:...saturated)', { saturated });
      return qb.orderBy('d.next_attempt_at', 'ASC').limit(want).getMany();
    };
    const candidates = [...(await due('retrying')), ...(await due('pending'))]
      .sort((a, b) => new Date(a.nextAttemptAt!).getTime() - new Date(b.nextAttemptAt!).getTime())
      .slice(0, want);
    if (!candidates.length) return { candidates: 0, claimed: 0 };
    const room = new Map<string, number>();
    const ids: string[] = [];
    for (const c of candidates) {
      if (this.held.has(c.id)) continue;
      const left = room.get(c.endpointId) ?? HELD_PER_ENDPOINT - (this.heldBy.get(c.endpointId) ?? 0);
      if (left <= 0) continue;
      room.set(c.endpointId, left - 1);
      ids.push(c.id);
    }
    if (!ids.length) return { candidates: candidates.length, claimed: 0 };
    const until = new Date(now.getTime() + LEASE_MS);
    const rows = await this.tx.run((m) =>
      this.query<{ id: string; endpoint_id: string; user_id: string; message_id: string; payload: string; attempts: number | string }>(
        m,
        `UPDATE webhook_deliveries SET locked_until = :until
         WHERE id IN (:...ids) AND status IN (:...open) AND (locked_until IS NULL OR locked_until < :now)
         RETURNING id, endpoint_id, user_id, message_id, payload, attempts`,
        { until, ids, open: OPEN, now },
      ),
    );
    if (!rows.length) return { candidates: candidates.length, claimed: 0 };
    const states = await this.loadEndpoints([...new Set(rows.map((r) => r.endpoint_id))]);
    for (const r of rows) {
      const c: Claimed = {
        id: r.id,
        endpointId: r.endpoint_id,
        userId: r.user_id,
        messageId: r.message_id,
        payload: r.payload,
        attempts: Number(r.attempts),
        leaseUntil: until.getTime(),
        state: states.get(r.endpoint_id),
      };
      this.held.add(c.id);
      this.heldBy.set(c.endpointId, (this.heldBy.get(c.endpointId) ?? 0) + 1);
      (this.queues.get(c.endpointId) ?? this.queues.set(c.endpointId, []).get(c.endpointId)!).push(c);
      this.waiting++;
    }
    this.leases.start();
    this.pump();
    return { candidates: candidates.length, claimed: rows.length };
  }

  /** Raw SQL with TypeORM's :named parameters, for the statements the query builder cannot write (UPDATE … RETURNING). */
  private async query<T>(m: EntityManager, sql: string, params: Record<string, unknown>): Promise<T[]> {
    const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, params);
    if (!m.queryRunner) throw new Error('webhook claim outside a transaction');
    const result = await m.queryRunner.query(text, values, true);
    return (result.records ?? []) as T[];
  }

  /** Fresh endpoint rows for a claim (one query), with their secrets decrypted once and cached by ciphertext. */
  private async loadEndpoints(ids: string[]): Promise<Map<string, EndpointState>> {
    const rows = await this.tx.manager.getRepository(WebhookEndpoint).find({ where: { id: In(ids) } });
    const found = new Set(rows.map((r) => r.id));
    for (const id of ids) if (!found.has(id)) this.endpoints.delete(id);
    if (this.decrypted.size > 10_000) this.decrypted.clear();
    return new Map(rows.map((ep) => [ep.id, this.track(ep)]));
  }

  /** The shared state of a freshly read endpoint row, its secrets decrypted (cached by ciphertext). */
  private track(ep: WebhookEndpoint): EndpointState {
    const fresh: EndpointState = {
      endpoint: ep,
      secret: this.decrypt(ep.secretEncrypted),
      previous:
        ep.previousSecretEncrypted && ep.previousSecretExpiresAt
          ? { secret: this.decrypt(ep.previousSecretEncrypted), until: new Date(ep.previousSecretExpiresAt).getTime() }
          : null,
    };
    // updated in place: attempts in flight share one view of the endpoint (enabled, failure count)
    const state = this.endpoints.get(ep.id);
    if (state) return Object.assign(state, fresh);
    this.endpoints.set(ep.id, fresh);
    return fresh;
  }

  private decrypt(stored: string): string {
    let plain = this.decrypted.get(stored);
    if (plain === undefined) {
      plain = this.encryption.decrypt(stored);
      this.decrypted.set(stored, plain);
    }
    return plain;
  }

  /** Starts waiting deliveries, round-robin over endpoints, within the global and per-endpoint caps. */
  private pump(): void {
    let progress = true;
    while (progress && this.running < CONCURRENCY) {
      progress = false;
      for (const [endpointId, queue] of this.queues) {
        if (this.running >= CONCURRENCY) break;
        if (!queue.length) {
          this.queues.delete(endpointId);
          continue;
        }
        if ((this.inFlight.get(endpointId) ?? 0) >= PER_ENDPOINT) continue;
        const c = queue.shift()!;
        this.waiting--;
        progress = true;
        if (this.leases.leaseUntil(c.leaseUntil) - this.clock.now().getTime() < LEASE_MARGIN_MS) {
          // waited too long: its lease could run out mid-send, so leave it to the next claim
          this.release(c);
          continue;
        }
        this.running++;
        this.started++;
        this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 0) + 1);
        let sent = false;
        // the send slot frees as soon as the answer is in; the claim is held until its record is written
        const free = () => {
          if (sent) return;
          sent = true;
          this.running--;
          const n = this.inFlight.get(endpointId)! - 1;
          if (n > 0) this.inFlight.set(endpointId, n);
          else this.inFlight.delete(endpointId);
          this.pump();
        };
        this.run(c, free)
          .catch((err) => this.crashed('delivery attempt crashed', err))
          .finally(() => {
            free();
            this.release(c);
            // refill before the pool runs dry
            if (!this.stopping && this.waiting < CONCURRENCY && !this.pulling) void this.pull();
            this.checkIdle();
          });
      }
    }
  }

  private async run(c: Claimed, onSent: () => void = () => undefined): Promise<AttemptOutcome> {
    const state = c.state;
    if (!state || !state.endpoint.enabled) {
      onSent();
      return this.failTurnedOff(c.id);
    }
    return this.send(c, state, onSent);
  }

  /** Claimed, but its endpoint was turned off meanwhile: kept as skipped, so "send the missed events" finds it. */
  private async failTurnedOff(deliveryId: string): Promise<AttemptOutcome> {
    const now = this.clock.now();
    await this.tx.run((m) =>
      m.getRepository(WebhookDelivery).update({ id: deliveryId }, { status: 'skipped', nextAttemptAt: null, lockedUntil: null, lastError: 'Endpoint is turned off', updatedAt: now }),
    );
    return { deliveryId, ok: false, statusCode: null, error: 'Endpoint is turned off', status: 'skipped' };
  }

  /** One attempt: sign with a fresh timestamp (and, during a rotation, the previous secret too), send, record, schedule. */
  private async send(c: Claimed, state: EndpointState, onSent: () => void): Promise<AttemptOutcome> {
    const now = this.clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const secrets = [state.secret];
    if (state.previous && state.previous.until > now.getTime()) secrets.push(state.previous.secret);
    const signature = secrets.map((s) => signWebhook(s, c.messageId, timestamp, c.payload)).join(' ');
    const result = await this.sender.send(
      state.endpoint.url,
      { 'webhook-id': c.messageId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
      c.payload,
    );
    onSent();
    return this.record(c, state, result);
  }

  private delayFor(attemptsMade: number, result: SendResult): number {
    const delays = this.config.webhookRetryDelaysMs;
    const base = delays[attemptsMade - 1] ?? delays.at(-1) ?? 30_000;
    const jittered = Math.round(base * (0.9 + Math.random() * 0.2));
    return result.retryAfter !== null ? Math.max(jittered, result.retryAfter * 1000) : jittered;
  }

  /**
   * Queues an attempt's outcome for the log. Outcomes that finish close together are written in
   * one transaction (one commit instead of one per attempt: on SQLite every commit appends the
   * touched pages to the WAL). The attempt's promise settles once its row is committed.
   */
  private record(c: Claimed, state: EndpointState, result: SendResult): Promise<AttemptOutcome> {
    return new Promise((resolve, reject) => {
      this.unrecorded.push({ c, state, result, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing || !this.unrecorded.length) return;
    if (this.unrecorded.length >= RECORD_BATCH) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      void this.flush();
    } else if (!this.flushTimer) {
      // a few milliseconds' wait lets the answers arriving meanwhile share the commit
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        void this.flush();
      }, FLUSH_DELAY_MS);
    }
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const batch = this.unrecorded.splice(0, RECORD_BATCH);
    try {
      const outcomes = await this.tx.run((m) => this.writeOutcomes(m, batch));
      for (const [i, r] of batch.entries()) r.resolve(outcomes[i]);
    } catch (err) {
      // one bad row (say, its endpoint was deleted meanwhile) must not lose the others' records
      this.logger.warn(`recording ${batch.length} webhook attempts together failed (${(err as Error).message}); recording one by one`);
      for (const r of batch) {
        try {
          const [outcome] = await this.tx.run((m) => this.writeOutcomes(m, [r]));
          r.resolve(outcome);
        } catch (e) {
          r.reject(e);
        }
      }
    } finally {
      this.flushing = false;
      this.scheduleFlush();
      this.checkIdle();
    }
  }

  /** Writes attempts in the order they finished: log rows, delivery states, endpoint failure runs, 410s and auto-disable. */
  private async writeOutcomes(m: EntityManager, batch: Unrecorded[]): Promise<AttemptOutcome[]> {
    const now = this.clock.now();
    const outcomes: AttemptOutcome[] = [];
    const attemptRows: Partial<WebhookAttempt>[] = [];
    const succeeded = new Map<number, string[]>(); // status code → delivery ids
    const runs = new Map<string, { state: EndpointState; reset: boolean; failed: number; lastError: string | null }>();
    const gone: EndpointState[] = [];
    for (const { c, state, result } of batch) {
      const attemptNo = c.attempts + 1;
      const error = result.error?.slice(0, 500) ?? null;
      attemptRows.push({
        id: randomUUID(),
        deliveryId: c.id,
        endpointId: c.endpointId,
        userId: c.userId,
        attempt: attemptNo,
        succeeded: result.ok,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        responseBody: result.body.slice(0, 1024),
        error,
        createdAt: now,
      });
      const run = runs.get(c.endpointId) ?? runs.set(c.endpointId, { state, reset: false, failed: 0, lastError: null }).get(c.endpointId)!;
      let status: WebhookDelivery['status'];
      if (result.ok) {
        status = 'succeeded';
        (succeeded.get(result.statusCode!) ?? succeeded.set(result.statusCode!, []).get(result.statusCode!)!).push(c.id);
        // a success ends a run of failed deliveries
        run.reset = true;
        run.failed = 0;
      } else {
        const isGone = result.statusCode === 410;
        let nextAttemptAt: Date | null = null;
        if (isGone || result.refused || attemptNo >= this.maxAttempts) {
          status = 'failed';
          run.failed++;
          run.lastError = result.error;
          if (isGone) gone.push(state);
        } else {
          status = 'retrying';
          nextAttemptAt = new Date(now.getTime() + this.delayFor(attemptNo, result));
        }
        await m
          .getRepository(WebhookDelivery)
          .update({ id: c.id }, { status, attempts: attemptNo, nextAttemptAt, lockedUntil: null, lastStatusCode: result.statusCode, lastError: error, updatedAt: now });
      }
      outcomes.push({ deliveryId: c.id, ok: result.ok, statusCode: result.statusCode, error: result.error, status });
    }
    for (let i = 0; i < attemptRows.length; i += 100) {
      await m.createQueryBuilder().insert().into(WebhookAttempt).values(attemptRows.slice(i, i + 100)).updateEntity(false).execute();
    }
    for (const [code, ids] of succeeded) {
      await m
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({ status: 'succeeded', attempts: () => 'attempts + 1', nextAttemptAt: null, lockedUntil: null, lastStatusCode: code, lastError: null, updatedAt: now })
        .where('id IN (:...ids)', { ids })
        .updateEntity(false)
        .execute();
    }
    for (const state of gone) await this.disable(m, state, 'The endpoint answered 410 Gone.');
    const epRepo = m.getRepository(WebhookEndpoint);
    for (const [endpointId, run] of runs) {
      if (!run.reset && !run.failed) continue;
      const qb = m.createQueryBuilder().update(WebhookEndpoint).where('id = :endpointId', { endpointId }).updateEntity(false);
      // after a success the run is the failures since; otherwise it grows (atomically: other instances count too)
      if (run.reset) await qb.set({ consecutiveFailures: run.failed }).andWhere('consecutive_failures <> :n', { n: run.failed }).execute();
      else await qb.set({ consecutiveFailures: () => `consecutive_failures + ${run.failed}` }).execute();
      run.state.endpoint.consecutiveFailures = run.failed;
      if (!run.failed) continue;
      const failures = run.reset ? run.failed : ((await epRepo.findOne({ where: { id: endpointId }, select: { id: true, consecutiveFailures: true } }))?.consecutiveFailures ?? 0);
      run.state.endpoint.consecutiveFailures = failures;
      if (failures >= this.config.webhookDisableAfter) {
        await this.disable(m, run.state, `${failures} deliveries in a row failed (last: ${run.lastError ?? 'error'}).`);
      }
    }
    return outcomes;
  }

  private async disable(m: EntityManager, state: EndpointState, reason: string) {
    const endpoint = state.endpoint;
    endpoint.enabled = false; // deliveries of it still waiting in this process stop here
    const res = await m.getRepository(WebhookEndpoint).update({ id: endpoint.id, enabled: true }, { enabled: false, disabledReason: reason, updatedAt: this.clock.now() });
    if (!res.affected) return;
    this.logger.warn(`webhook endpoint ${endpoint.id} turned off: ${reason}`);
    await this.notifications.notify(
      endpoint.userId,
      { type: 'webhook.disabled', title: 'A webhook endpoint was turned off', body: `${endpoint.url}\n${reason} Fix the receiver, then turn the endpoint on again.`, link: `/settings/webhooks/${endpoint.id}` },
      m,
    );
  }

  /** A new delivery with an explicit payload, attempted at once (test events, resends). */
  private async deliverNow(ep: WebhookEndpoint, messageId: string, eventType: string, payload: string): Promise<AttemptOutcome> {
    const id = randomUUID();
    const { id: endpointId, userId } = ep;
    await this.tx.run(async (m) => {
      const now = this.clock.now();
      await m.getRepository(WebhookDelivery).insert({
        id,
        endpointId,
        userId,
        messageId,
        eventType,
        payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: new Date(now.getTime() + LEASE_MS),
        lastStatusCode: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      });
    });
    // the caller has just read the endpoint (scoped to its owner): no second read of it or of the delivery
    return this.run({ id, endpointId, userId, messageId, payload, attempts: 0, leaseUntil: 0, state: this.track(ep) });
  }

  private async ownedEndpoint(userId: string, endpointId: string): Promise<WebhookEndpoint> {
    const ep = isId(endpointId) ? await this.tx.manager.getRepository(WebhookEndpoint).findOne({ where: { id: endpointId, userId } }) : null;
    if (!ep) throw new ContactNotFoundError('Webhook endpoint');
    return ep;
  }

  /** "Send test event": a `webhook.test` delivery, attempted right away (retried like any other). */
  async sendTest(userId: string, endpointId: string): Promise<AttemptOutcome> {
    const ep = await this.ownedEndpoint(userId, endpointId);
    if (!ep.enabled) return { deliveryId: '', ok: false, statusCode: null, error: 'Turn the endpoint on first', status: 'failed' };
    const eventId = randomUUID();
    const body = JSON.stringify({ type: 'webhook.test', timestamp: this.clock.now().toISOString(), data: { endpointId, message: 'This is a test event from DevHub.' } });
    return this.deliverNow(ep, `msg_${eventId.replace(/-/g, '')}`, 'webhook.test', body);
  }

  /** Sends a past delivery of this endpoint again, with the same `webhook-id` and body. */
  async resend(userId: string, endpointId: string, deliveryId: string): Promise<AttemptOutcome> {
    const ep = await this.ownedEndpoint(userId, endpointId);
    const d = isId(deliveryId) ? await this.tx.manager.getRepository(WebhookDelivery).findOne({ where: { id: deliveryId, endpointId: ep.id, userId } }) : null;
    if (!d) throw new ContactNotFoundError('Delivery');
    if (!ep.enabled) return { deliveryId: '', ok: false, statusCode: null, error: 'Turn the endpoint on first', status: 'failed' };
    return this.deliverNow(ep, d.messageId, d.eventType, d.payload);
  }
}
