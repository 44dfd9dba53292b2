import request from 'supertest';
import { JobsService } from '../../src/jobs/jobs.service';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { startTestApp, TestApp } from '../support/test-app';

const TOKEN = 'metrics-token-0123456789';

describe('GET /metrics', () => {
  let t: TestApp;
  let bare: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: TOKEN });
    bare = await startTestApp();
  });
  afterAll(async () => {
    await bare.drop();
    await t.drop();
  });

  it('is 404 without METRICS_TOKEN, 401 without the right token', async () => {
    await request(bare.app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    await request(t.app.getHttpServer()).get('/metrics').expect(401);
    const wrong = await request(t.app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer not-the-token-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
    expect(wrong.text).not.toContain('devhub_');
  });

  it('serves HTTP durations by route and status, job runs by outcome, queue depth, webhook deliveries, outbox lag and event-loop delay', async () => {
    await request(t.app.getHttpServer()).get('/login').expect(200);
    await request(t.app.getHttpServer()).get('/no-such-page-for-metrics').expect(404);
    const jobs = t.app.get(JobsService);
    jobs.register({ name: 'metrics-demo', queue: 'devhub-sync', timeoutMs: 1000, attempts: 1, handler: async () => ({ n: 1 }) });
    await jobs.enqueue('metrics-demo', null);
    await jobs.enqueue('metrics-demo', null);
    await t.app.get(LocalJobEngine).tick(new Date(), [jobs.definition('metrics-demo')]);
    await t.app.get(LocalJobEngine).drain();
    const res = await request(t.app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/devhub_http_request_duration_seconds_count\{method="GET",route="\/login",status="200"\} 1/);
    expect(res.text).toMatch(/devhub_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
    expect(res.text).toMatch(/devhub_job_runs_total\{job="metrics-demo",outcome="succeeded"\} 2/);
    expect(res.text).toMatch(/devhub_job_run_duration_seconds_count\{job="metrics-demo",outcome="succeeded"\} 2/);
    expect(res.text).toMatch(/devhub_queue_depth\{queue="devhub-sync",state="waiting"\} 0/);
    expect(res.text).toMatch(/devhub_outbox_lag_seconds \d/);
    expect(res.text).toContain('devhub_webhook_deliveries');
    expect(res.text).toMatch(/devhub_nodejs_eventloop_lag_p99_seconds \d/);
  });
});
