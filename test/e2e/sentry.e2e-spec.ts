import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceUnavailableException } from '@nestjs/common';
import { SentryReporter } from '../../src/common/errors/sentry-reporter';
import { MailerService } from '../../src/common/mail/mailer.service';
import { unhandledRejectionListener } from '../../src/common/errors/unhandled-rejection';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { ContactPagesService } from '../../src/contacts/contact-pages.service';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { ContactsService } from '../../src/contacts/contacts.service';
import { JobExecutor } from '../../src/jobs/job-executor.service';
import { ApiUser, apiUser, expectError, MISSING_ID } from '../support/api';
import { FakeSentry, startFakeSentry } from '../fakes/fake-sentry';
import { csrfFrom, startTestApp, submitForm, TestApp, waitFor } from '../support/test-app';

const VERSION = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;

/** One attempt of a job whose handler throws `message`, recorded like any run. */
function failingRun(t: TestApp, name: string, message: string) {
  const handler = async () => {
    throw new Error(message);
  };
  return t.app.get(JobExecutor).execute({ def: { name, queue: 'devhub-maintenance', timeoutMs: 5000, handler }, jobId: name, slot: null, payload: undefined, ownerId: null, attempt: 1 });
}

describe('Sentry reporting', () => {
  let sentry: FakeSentry;
  let t: TestApp;
  let u: ApiUser;
  let reporter: SentryReporter;

  /** the envelopes received since `from`, once every send started so far has been answered */
  const receivedSince = async (from: number) => {
    expect(await reporter.flush()).toBe(true);
    return sentry.received.slice(from);
  };

  beforeAll(async () => {
    sentry = await startFakeSentry();
    t = await startTestApp({ SENTRY_DSN: `http://publickey@127.0.0.1:${sentry.port}/42` });
    u = await apiUser(t);
    reporter = t.app.get(SentryReporter);
  });
  afterAll(async () => {
    await t.drop();
    await sentry.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('an unexpected API error: the client gets the usual 500, Sentry one redacted event', async () => {
    const before = sentry.received.length;
    // reported once, not twice with the second dropped as a repeat
    const duplicates = reporter.stats.duplicates;
    jest.spyOn(t.app.get(ContactsService), 'list').mockImplementationOnce(async () => {
      throw new Error('lookup failed for grace.hopper@navy.mil');
    });
    const res = await u.read.get('/api/contacts?q=grace.hopper%40navy.mil&limit=5');
    expectError(res, 500, 'Something went wrong on our side');
    expect(JSON.stringify(res.body)).not.toContain('lookup failed');

    const [hit, ...more] = await receivedSince(before);
    expect(more).toEqual([]);
    expect(hit.method).toBe('POST');
    expect(hit.path).toBe('/api/42/envelope/');
    expect(hit.headers['x-sentry-auth']).toBe(`Sentry sentry_version=7, sentry_client=devhub/${VERSION}, sentry_key=publickey`);
    expect(hit.headers['content-type']).toBe('application/x-sentry-envelope');
    expect(hit.header).toMatchObject({ event_id: hit.event.event_id, dsn: `http://publickey@127.0.0.1:${sentry.port}/42` });
    expect(new Date(hit.header.sent_at).toISOString()).toBe(hit.header.sent_at);
    expect(hit.item).toEqual({ type: 'event', length: Buffer.byteLength(hit.payload) });

    const { event } = hit;
    // nothing beyond these fields: no user, no headers, no cookies, no body, no breadcrumbs
    expect(Object.keys(event).sort()).toEqual(['environment', 'event_id', 'exception', 'level', 'platform', 'release', 'request', 'tags', 'timestamp']);
    expect(event).toMatchObject({ platform: 'node', level: 'error', environment: 'test', release: `devhub@${VERSION}` });
    expect(event.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs(event.timestamp - Date.now() / 1000)).toBeLessThan(600);
    expect(event.exception.values).toHaveLength(1);
    expect(event.exception.values[0]).toMatchObject({ type: 'Error', value: 'lookup failed for [email]' });
    expect(event.request).toEqual({ method: 'GET', url: `${t.config.baseUrl}/api/contacts` });
    expect(event.tags).toEqual({ request_id: res.headers['x-request-id'] });

    const frames = event.exception.values[0].stacktrace.frames;
    expect(frames[frames.length - 1]).toMatchObject({ filename: 'test/e2e/sentry.e2e-spec.ts', in_app: true });
    expect(frames.some((f) => f.filename.startsWith('node_modules/') && !f.in_app)).toBe(true);

    // the e-mail, the query string and the key appear nowhere in what left the process
    expect(hit.raw).not.toMatch(/grace|navy\.mil|q=|limit=|dh_|authorization|cookie/i);
    expect(reporter.stats.duplicates).toBe(duplicates);
  });

  it('a failure in background work (the password-reset mail) is reported, with no address in it', async () => {
    const before = sentry.received.length;
    const mailer = t.app.get(MailerService);
    jest.spyOn(mailer, 'enabled', 'get').mockReturnValue(true);
    let failed!: () => void;
    const sent = new Promise<void>((resolve) => (failed = resolve));
    jest.spyOn(mailer, 'send').mockImplementation(async () => {
      failed();
      throw new Error(`550 mailbox unavailable: ${u.email}`);
    });
    await submitForm(t.agent(), '/forgot-password', '/forgot-password', { email: u.email });
    await sent;
    await waitFor(() => sentry.received.length > before || reporter.pending > 0, 'the report of the failed mail');
    const hits = await receivedSince(before);
    expect(hits).toHaveLength(1);
    expect(hits[0].event.exception.values[0].value).toBe('550 mailbox unavailable: [email]');
    expect(hits[0].event.tags).toMatchObject({ mail: 'password-reset' });
    expect(hits[0].raw).not.toContain(u.email);
  });

  it('a failed import: the friendly 500 page, and Sentry gets the error behind it', async () => {
    const before = sentry.received.length;
    const csv = 'Name,E-mail Address\nAda Lovelace,ada@example.com\n';
    const form = await u.agent.get('/settings/account').expect(200);
    const uploaded = await u.agent.post(`/settings/account/import?_csrf=${csrfFrom(form.text)}`).attach('file', Buffer.from(csv), 'contacts.csv').expect(303);
    const page = await u.agent.get(uploaded.headers.location).expect(200);
    jest.spyOn(t.app.get(ContactsRepository), 'insertMany').mockRejectedValueOnce(new Error('batch writer lost row 2 (ada@example.com)'));
    const res = await u.agent.post(uploaded.headers.location).type('form').send({ _csrf: csrfFrom(page.text) }).expect(500);
    expect(res.text).toContain('Nothing was imported.');
    expect(res.text).not.toContain('batch writer');

    const hits = await receivedSince(before);
    expect(hits).toHaveLength(1);
    expect(hits[0].event.exception.values[0]).toMatchObject({ type: 'Error', value: 'batch writer lost row 2 ([email])' });
    expect(hits[0].event.tags).toEqual({ import_id: uploaded.headers.location.split('/').pop(), request_id: res.headers['x-request-id'] });
  });

  it('an unexpected page error: the 500 page with its reference, and the same request id in Sentry', async () => {
    const before = sentry.received.length;
    jest.spyOn(t.app.get(ContactPagesService), 'listModel').mockRejectedValueOnce(new TypeError('cannot list contacts of ada@example.com'));
    const res = await u.agent.get('/contacts?q=ada%40example.com').set('Accept', 'text/html').expect(500);
    const requestId = res.headers['x-request-id'];
    expect(res.text).toContain('Something went wrong');
    expect(res.text).toContain(`Reference: <code>${requestId}</code>`);
    expect(res.text).not.toContain('cannot list contacts');

    const hits = await receivedSince(before);
    expect(hits).toHaveLength(1);
    expect(hits[0].event.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'cannot list contacts of [email]' });
    expect(hits[0].event.request).toEqual({ method: 'GET', url: `${t.config.baseUrl}/contacts` });
    expect(hits[0].event.tags).toEqual({ request_id: requestId });
    expect(hits[0].raw).not.toMatch(/ada@|q=|devhub\.sid/);
  });

  it('an HttpException of 5xx is reported; the client sees its message', async () => {
    const before = sentry.received.length;
    jest.spyOn(t.app.get(ContactsService), 'list').mockRejectedValueOnce(new ServiceUnavailableException('search index is rebuilding'));
    expectError(await u.read.get('/api/contacts'), 503, 'search index is rebuilding');
    const hits = await receivedSince(before);
    expect(hits.map((h) => h.event.exception.values[0])).toMatchObject([{ type: 'ServiceUnavailableException', value: 'search index is rebuilding' }]);
  });

  it('the same error twice within a minute is sent once', async () => {
    const before = sentry.received.length;
    const duplicates = reporter.stats.duplicates;
    jest.spyOn(t.app.get(ContactsService), 'list').mockImplementation(async () => {
      throw new Error('the same failure every time');
    });
    expectError(await u.read.get('/api/contacts'), 500);
    expectError(await u.read.get('/api/contacts'), 500);
    expect(await receivedSince(before)).toHaveLength(1);
    expect(reporter.stats.duplicates).toBe(duplicates + 1);
  });

  it('4xx answers send nothing', async () => {
    const before = sentry.received.length;
    const stats = { ...reporter.stats };
    expectError(await u.read.get('/api/nothing-here'), 404);
    expectError(await u.read.get(`/api/contacts/${MISSING_ID}`), 404);
    expectError(await u.write.post('/api/contacts', { favouriteColour: 'blue' }), 400);
    expectError(await u.write.post('/api/contacts').set('Content-Type', 'application/json').send('{"name":'), 400);
    expectError(await u.read.post('/api/contacts', { name: 'x' }), 403);
    await u.agent.get('/no-such-page').set('Accept', 'text/html').expect(404);
    expect(reporter.pending).toBe(0);
    expect(await receivedSince(before)).toEqual([]);
    expect(reporter.stats).toEqual(stats);
  });

  it('a failed job run is reported with the job and the run id', async () => {
    const before = sentry.received.length;
    const { run } = await failingRun(t, 'sentry-demo-job', 'digest mail to eve@example.com bounced');
    expect(run).toMatchObject({ outcome: 'failed', error: 'digest mail to eve@example.com bounced' });
    const hits = await receivedSince(before);
    expect(hits).toHaveLength(1);
    expect(hits[0].event.exception.values[0]).toMatchObject({ type: 'Error', value: 'digest mail to [email] bounced' });
    expect(hits[0].event.tags).toEqual({ job: 'sentry-demo-job', job_run_id: run!.id });
    expect(hits[0].event).not.toHaveProperty('request');
  });

  it('an unhandled promise rejection is logged and reported, and the process goes on', async () => {
    const before = sentry.received.length;
    const lines: string[] = [];
    const listener = unhandledRejectionListener(new JsonLogger('error', (line) => lines.push(line)), reporter);
    listener(new RangeError('forgotten promise for eve@example.com'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', context: 'Process', msg: 'unhandled promise rejection: RangeError: forgotten promise for [email]' });
    const hits = await receivedSince(before);
    expect(hits).toHaveLength(1);
    expect(hits[0].event.exception.values[0]).toMatchObject({ type: 'RangeError', value: 'forgotten promise for [email]' });
    expect(hits[0].event.tags).toEqual({ source: 'unhandledRejection' });
    await u.read.get('/api/me').expect(200);
  });

  it('a Sentry that does not answer never holds the response', async () => {
    const before = sentry.received.length;
    const release = sentry.holdAnswers();
    try {
      jest.spyOn(t.app.get(ContactsService), 'list').mockRejectedValueOnce(new Error('while Sentry hangs'));
      expectError(await u.read.get('/api/contacts'), 500);
      // the response is here while the report is still waiting for Sentry
      expect(reporter.pending).toBe(1);
      await u.read.get('/api/me').expect(200);
    } finally {
      release();
    }
    const hits = await receivedSince(before);
    expect(hits.map((h) => h.event.exception.values[0].value)).toEqual(['while Sentry hangs']);
    expect(reporter.pending).toBe(0);
  });
});

describe('Sentry reporting without SENTRY_DSN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('answers the 500 as usual and sends nothing', async () => {
    const u = await apiUser(t);
    const reporter = t.app.get(SentryReporter);
    const transport = jest.spyOn(reporter, 'transport');
    jest.spyOn(t.app.get(ContactsService), 'list').mockRejectedValueOnce(new Error('no one is told'));
    expectError(await u.read.get('/api/contacts'), 500);
    await failingRun(t, 'sentry-quiet-job', 'nor about this');
    expect(reporter.enabled).toBe(false);
    expect(transport).not.toHaveBeenCalled();
    expect(reporter.pending).toBe(0);
    expect(reporter.stats).toEqual({ sent: 0, failed: 0, droppedOverRate: 0, duplicates: 0 });
  });
});

describe('Sentry unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // a port that was just closed: connections to it are refused
    const closed = await startFakeSentry();
    await closed.close();
    t = await startTestApp({ SENTRY_DSN: `http://publickey@127.0.0.1:${closed.port}/42`, LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await t.drop();
  });

  it('answers normally, logs one warning without the DSN, and keeps serving', async () => {
    const u = await apiUser(t);
    const reporter = t.app.get(SentryReporter);
    const list = jest.spyOn(t.app.get(ContactsService), 'list');
    list.mockRejectedValueOnce(new Error('first failure'));
    expectError(await u.read.get('/api/contacts'), 500, 'Something went wrong');
    list.mockRejectedValueOnce(new Error('second failure'));
    expectError(await u.read.get('/api/contacts'), 500, 'Something went wrong');
    expect(await reporter.flush()).toBe(true);
    expect(reporter.stats).toMatchObject({ sent: 0, failed: 2 });
    await u.read.get('/api/me').expect(200);

    const warnings = t.logs.filter((l) => /"level":"warn"/.test(l) && l.includes('Sentry'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('could not send an error report to Sentry (connect ECONNREFUSED');
    expect(t.logs.join('\n')).not.toContain('publickey');
  });
});
