import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/column-types';

@Entity('profile_views')
export class ProfileView {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'profile_id', type: 'varchar', length: 36 })
  profileId: string;

  /** pseudonymous visitor id: salted hash of IP + user agent, salt rotated daily */
  @Column({ name: 'viewer_id', type: 'varchar', length: 64, nullable: true })
  viewerId: string | null;

  /** salted hash of the IP address, never the address */
  @Column({ name: 'ip_address', type: 'varchar', length: 64, nullable: true })
  ipAddress: string | null;

  /** referrer host only */
  @Column({ type: 'varchar', length: 255, nullable: true })
  referrer: string | null;

  /** YYYY-MM-DD in the profile owner's time zone */
  @Column({ type: 'varchar', length: 10 })
  day: string;

  @CreatedAtColumn()
  createdAt: Date;
}
