import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/column-types';

@Entity('tags')
export class Tag {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  /** lower-cased name: unique per user, so names are unique ignoring case */
  @Column({ name: 'name_key', type: 'varchar', length: 50 })
  nameKey: string;

  @CreatedAtColumn()
  createdAt: Date;
}
