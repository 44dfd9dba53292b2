import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn } from '../database/column-types';

export type ApiKeyScope = 'read' | 'write';
export const API_KEY_SCOPES: ApiKeyScope[] = ['read', 'write'];

@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  scope: ApiKeyScope;

  /** the first characters of the key, shown in the list so a user can tell keys apart */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** SHA-256 of the whole key; the key itself is never stored */
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  @DateColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @DateColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
