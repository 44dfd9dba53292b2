import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn } from '../database/column-types';
import type { ApiKeyScope } from '../api-keys/api-key.entity';

/** pending → approved → delivered (the key went to the CLI, once), or pending → refused; expiry is computed from expires_at. */
export type CliAuthStatus = 'pending' | 'approved' | 'refused' | 'delivered';

@Entity('cli_auth_requests')
export class CliAuthRequest {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** SHA-256 of the normalised code the user sees (XXXX-XXXX) */
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  /** SHA-256 of the secret only the CLI holds; the key is handed out to it alone */
  @Column({ name: 'poll_token_hash', type: 'varchar', length: 64 })
  pollTokenHash: string;

  @Column({ name: 'device_name', type: 'varchar', length: 100 })
  deviceName: string;

  @Column({ type: 'varchar', length: 8 })
  scope: ApiKeyScope;

  @Column({ type: 'varchar', length: 16 })
  status: CliAuthStatus;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @Column({ name: 'api_key_id', type: 'varchar', length: 36, nullable: true })
  apiKeyId: string | null;

  /** the new key, encrypted, between approval and the CLI's next poll; cleared when delivered */
  @Column({ name: 'key_ciphertext', type: 'text', nullable: true })
  keyCiphertext: string | null;

  @DateColumn({ name: 'expires_at' })
  expiresAt: Date;

  @DateColumn({ name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
