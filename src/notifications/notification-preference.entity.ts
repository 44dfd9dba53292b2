import { Column, Entity, PrimaryColumn } from 'typeorm';

export type NotificationChannel = 'in-app' | 'email' | 'off';
export const NOTIFICATION_CHANNELS: NotificationChannel[] = ['in-app', 'email', 'off'];

/** A user's choice for one kind of notification (no row = the default). */
@Entity('notification_preferences')
export class NotificationPreference {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 }) userId: string;
  @PrimaryColumn({ type: 'varchar', length: 50 }) kind: string;
  @Column({ type: 'varchar', length: 10 }) channel: NotificationChannel;
}
