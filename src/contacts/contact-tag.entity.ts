import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/column-types';

@Entity('contact_tags')
export class ContactTag {
  @PrimaryColumn({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId: string;

  @PrimaryColumn({ name: 'tag_id', type: 'varchar', length: 36 })
  tagId: string;

  @CreatedAtColumn()
  createdAt: Date;
}
