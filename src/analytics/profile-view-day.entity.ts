import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Daily counts of profile views older than 90 days (their raw rows are deleted by cleanup-old-data). */
@Entity('profile_view_days')
export class ProfileViewDay {
  @PrimaryColumn({ name: 'profile_id', type: 'varchar', length: 36 }) profileId: string;
  @PrimaryColumn({ type: 'varchar', length: 10 }) day: string;
  @Column({ type: 'integer', default: 0 }) views: number;
  @Column({ type: 'integer', default: 0 }) visitors: number;
}
