import { Injectable, OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Clock } from '../common/clock';
import { TransactionService } from '../database/transaction.service';
import { JobExecutor } from '../jobs/job-executor.service';
import { JobsService } from '../jobs/jobs.service';

/**
 * Prometheus metrics of this instance, in a registry of its own (two apps in one process, as in
 * the tests, do not collide). Database-derived figures (queue depth, webhook deliveries, outbox lag)
 * are read when /metrics is scraped.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'devhub_http_request_duration_seconds',
    help: 'HTTP request durations by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly jobRuns = new Counter({ name: 'devhub_job_runs_total', help: 'Job runs by job and outcome', labelNames: ['job', 'outcome'], registers: [this.registry] });
  private readonly jobDuration = new Histogram({
    name: 'devhub_job_run_duration_seconds',
    help: 'Job run durations by job and outcome',
    labelNames: ['job', 'outcome'],
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });

  constructor(
    private readonly executor: JobExecutor,
    private readonly jobs: JobsService,
    private readonly tx: TransactionService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'devhub_', eventLoopMonitoringPrecision: 20 });
    this.executor.onRunFinished((run, ms) => {
      this.jobRuns.inc({ job: run.job, outcome: run.outcome });
      this.jobDuration.observe({ job: run.job, outcome: run.outcome }, ms / 1000);
    });
    const jobs = this.jobs;
    new Gauge({
      name: 'devhub_queue_depth',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const d of await jobs.queueDepth()) for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ queue: d.queue, state }, d[state]);
      },
    });
    const tx = this.tx;
    new Gauge({
      name: 'devhub_webhook_deliveries',
      help: 'Webhook deliveries in the log by outcome (status)',
      labelNames: ['outcome'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = (await tx.manager.createQueryBuilder().select(['d.status AS status', 'COUNT(*) AS n']).from('webhook_deliveries', 'd').groupBy('d.status').getRawMany()) as Array<{ status: string; n: string | number }>;
        for (const r of rows) this.set({ outcome: r.status }, Number(r.n));
      },
    });
    const clock = this.clock;
    new Gauge({
      name: 'devhub_outbox_lag_seconds',
      help: 'Age of the oldest outbox event not yet fanned out (0 when none waits)',
      registers: [this.registry],
      async collect() {
        const row = (await tx.manager.createQueryBuilder().select('MIN(e.created_at)', 'oldest').from('outbox_events', 'e').where('e.dispatched_at IS NULL').getRawOne()) as { oldest: string | Date | null } | undefined;
        const oldest = row?.oldest ? (row.oldest instanceof Date ? row.oldest : new Date(`${String(row.oldest).replace(' ', 'T')}Z`)) : null;
        this.set(oldest ? Math.max(0, (clock.now().getTime() - oldest.getTime()) / 1000) : 0);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
