import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ name: 'user_id', type: 'varchar', length: 36 }) userId: string;
  @Column({ type: 'varchar', length: 2000 }) url: string;
  @Column({ type: 'varchar', length: 200, default: '' }) description: string;
  /** JSON array of event types or wildcards (`contact.*`); empty = every event */
  @Column({ name: 'event_types', type: 'simple-json' }) eventTypes: string[];
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @Column({ name: 'secret_encrypted', type: 'text' }) secretEncrypted: string;
  @Column({ name: 'previous_secret_encrypted', type: 'text', nullable: true }) previousSecretEncrypted: string | null;
  @DateColumn({ name: 'previous_secret_expires_at', nullable: true }) previousSecretExpiresAt: Date | null;
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 }) consecutiveFailures: number;
  @Column({ name: 'disabled_reason', type: 'varchar', length: 300, nullable: true }) disabledReason: string | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}

/** `skipped`: raised while its endpoint was turned off; sent when the user asks for the missed events */
export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'skipped';

@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 }) endpointId: string;
  @Column({ name: 'user_id', type: 'varchar', length: 36 }) userId: string;
  /** the `webhook-id` header: the same on every attempt and on a resend */
  @Column({ name: 'message_id', type: 'varchar', length: 64 }) messageId: string;
  @Column({ name: 'event_type', type: 'varchar', length: 50 }) eventType: string;
  /** the exact JSON body that is signed and sent */
  @Column({ type: 'text' }) payload: string;
  @Column({ type: 'varchar', length: 12 }) status: DeliveryStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @DateColumn({ name: 'next_attempt_at', nullable: true }) nextAttemptAt: Date | null;
  /** claimed by an instance until then (several instances share the queue) */
  @DateColumn({ name: 'locked_until', nullable: true }) lockedUntil: Date | null;
  @Column({ name: 'last_status_code', type: 'integer', nullable: true }) lastStatusCode: number | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}

@Entity('webhook_attempts')
export class WebhookAttempt {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ name: 'delivery_id', type: 'varchar', length: 36 }) deliveryId: string;
  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 }) endpointId: string;
  @Column({ name: 'user_id', type: 'varchar', length: 36 }) userId: string;
  @Column({ type: 'integer' }) attempt: number;
  @Column({ type: 'boolean', default: false }) succeeded: boolean;
  @Column({ name: 'status_code', type: 'integer', nullable: true }) statusCode: number | null;
  @Column({ name: 'duration_ms', type: 'integer', default: 0 }) durationMs: number;
  @Column({ name: 'response_body', type: 'varchar', length: 1024, default: '' }) responseBody: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
  @CreatedAtColumn() createdAt: Date;
}
