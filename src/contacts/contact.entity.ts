import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, DateColumn, UpdatedAtColumn } from '../database/column-types';

@Entity('contacts')
export class Contact {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** lower-cased name, for a case-insensitive sort on an index */
  @Column({ name: 'sort_name', type: 'varchar', length: 200 })
  sortName: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  company: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  location: string | null;

  @Column({ name: 'github_username', type: 'varchar', length: 39, nullable: true })
  githubUsername: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  twitter: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  linkedin: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  website: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'is_vip', type: 'boolean', default: false })
  isVip: boolean;

  @Column({ name: 'keep_in_touch_days', type: 'integer', nullable: true })
  keepInTouchDays: number | null;

  @DateColumn({ name: 'last_interaction_at', nullable: true })
  lastInteractionAt: Date | null;

  /** 0–100 from the contact's recent public GitHub events (null until the GitHub sync has run) */
  @Column({ name: 'activity_score', type: 'integer', nullable: true })
  activityScore: number | null;

  /** name, company, title, e-mail, GitHub username, notes and tag names: what search looks at */
  @Column({ name: 'search_text', type: 'text', default: '' })
  searchText: string;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
