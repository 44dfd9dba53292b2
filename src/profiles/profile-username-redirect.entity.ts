import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn } from '../database/column-types';

/** `/@old` answers 301 to the profile's current username until `expiresAt` (90 days). */
@Entity('profile_username_redirects')
export class ProfileUsernameRedirect {
  @PrimaryColumn({ name: 'old_username', type: 'varchar', length: 39 })
  oldUsername: string;

  @Column({ name: 'profile_id', type: 'varchar', length: 36 })
  profileId: string;

  @DateColumn({ name: 'expires_at' })
  expiresAt: Date;

  @CreatedAtColumn()
  createdAt: Date;
}
