import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface Readiness {
  status: 'ok' | 'unavailable';
  database: 'ok' | 'error';
  pendingMigrations: number | null;
}

@Injectable()
export class HealthService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async readiness(): Promise<Readiness> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return { status: 'unavailable', database: 'error', pendingMigrations: null };
    }
    const pending = (await this.dataSource.showMigrations()) ? await this.countPending() : 0;
    return { status: pending === 0 ? 'ok' : 'unavailable', database: 'ok', pendingMigrations: pending };
  }

  private async countPending(): Promise<number> {
    const rows: Array<{ name: string }> = await this.dataSource.query(`SELECT name FROM migrations`);
    const applied = new Set(rows.map((r) => r.name));
    return this.dataSource.migrations.filter((m) => !applied.has(m.name ?? m.constructor.name)).length;
  }
}
