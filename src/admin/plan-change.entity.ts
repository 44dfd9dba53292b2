import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/column-types';

/** Every plan change the admin made, with the reason (conversion and churn are counted from it). */
@Entity('plan_changes')
export class PlanChange {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ name: 'user_id', type: 'varchar', length: 36 }) userId: string;
  @Column({ name: 'from_plan', type: 'varchar', length: 16 }) fromPlan: string;
  @Column({ name: 'to_plan', type: 'varchar', length: 16 }) toPlan: string;
  @Column({ type: 'varchar', length: 500 }) reason: string;
  @Column({ name: 'changed_by', type: 'varchar', length: 36, nullable: true }) changedBy: string | null;
  @CreatedAtColumn() createdAt: Date;
}
