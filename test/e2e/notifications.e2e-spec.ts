import { randomUUID } from 'node:crypto';
import { UsersService } from '../../src/auth/users.service';
import { LocalJobEngine } from '../../src/jobs/local-job-engine';
import { JobsService } from '../../src/jobs/jobs.service';
import { DueFollowUpsJob } from '../../src/notifications/due-follow-ups.job';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { FakeSmtp, startFakeSmtp } from '../fakes/fake-smtp';
import { apiUser, ApiUser } from '../support/api';
import { csrfFrom, startTestApp, submitForm, TestApp, waitFor } from '../support/test-app';

describe('send-notifications and notification preferences', () => {
  let smtp: FakeSmtp;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    a = await startTestApp({ SMTP_URL: smtp.url });
    b = await startTestApp({ SMTP_URL: smtp.url }, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.drop();
    await smtp.close();
  });

  const notificationsOf = (t: TestApp, userId: string) => t.dataSource.query(`SELECT type, title, body, link, read_at FROM notifications WHERE user_id = '${userId}' ORDER BY created_at`);
  const dueEventsOf = (t: TestApp, userId: string) => t.dataSource.query(`SELECT payload FROM outbox_events WHERE user_id = '${userId}' AND type = 'followup.due'`);
  // sign-up mails a verification link first: only notification mails count here
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email) && !m.subject.startsWith('Confirm your e-mail'));

  async function userWithDue(names: string[], dueAt: string, tz = 'Europe/Berlin'): Promise<ApiUser & { followUpIds: string[] }> {
    const u = await apiUser(a);
    const user = await a.app.get(UsersService).findById(u.userId);
    await a.dataSource.query(`UPDATE users SET timezone = '${tz}' WHERE id = '${user!.id}'`);
    const followUpIds: string[] = [];
    for (const name of names) {
      const c = await u.write.post('/api/contacts', { name }).expect(201);
      const f = await u.write.post('/api/follow-ups', { contactId: c.body.id, dueAt, note: `Ask ${name} about the talk` }).expect(201);
      followUpIds.push(f.body.id);
    }
    return { ...u, followUpIds };
  }

  it('announces each due follow-up once, with two instances running the job, and mails one list per user', async () => {
    const u = await userWithDue(['Ada Lovelace', 'Grace Hopper'], '2026-03-01T09:00:00Z');
    const notYet = await u.write.post('/api/contacts', { name: 'Later Person' }).expect(201);
    await u.write.post('/api/follow-ups', { contactId: notYet.body.id, dueAt: '2099-01-01T09:00:00Z' }).expect(201);
    const now = new Date('2026-03-01T09:00:30Z');
    // both instances run the job for the same moment, concurrently, and again a minute later
    const [ra, rb] = await Promise.all([a.app.get(DueFollowUpsJob).run(now), b.app.get(DueFollowUpsJob).run(now)]);
    const again = await b.app.get(DueFollowUpsJob).run(new Date(now.getTime() + 60_000));
    expect(ra.followUps + rb.followUps).toBeGreaterThanOrEqual(2);
    expect(again.followUps).toBe(0);

    const rows = await notificationsOf(a, u.userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'followup.due', title: '2 follow-ups are due', link: '/follow-ups' });
    expect(rows[0].body).toContain('Ada Lovelace');
    const events = (await dueEventsOf(a, u.userId)).map((r: { payload: string }) => JSON.parse(r.payload));
    expect(events.map((e: { id: string }) => e.id).sort()).toEqual([...u.followUpIds].sort());
    expect(events[0]).toMatchObject({ status: 'open', note: expect.stringMatching(/^Ask /) });
    const mails = await waitFor(() => (mailsTo(u.email).length ? mailsTo(u.email) : undefined), 'the follow-up mail');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('2 follow-ups are due');
    // the user's time zone: 09:00 UTC is 10:00 in Berlin
    expect(mails[0].raw).toContain('Europe/Berlin');
    expect(mails[0].raw).toMatch(/10:00/);
    expect(mails[0].raw).toContain('text/html');
    // the bell counts it, on every page
    const page = await u.agent.get('/contacts').expect(200);
    expect(page.text).toMatch(/aria-label="1 unread notifications"/);
  });

  it('runs once per slot as the scheduled job on two instances', async () => {
    const u = await userWithDue(['Linus Torvalds'], '2026-04-01T08:00:00Z');
    const slot = new Date('2026-04-01T08:01:00Z');
    const defA = a.app.get(JobsService).definition('send-notifications');
    const defB = b.app.get(JobsService).definition('send-notifications');
    expect(defA.schedule).toEqual({ cron: '* * * * *' });
    await Promise.all([a.app.get(LocalJobEngine).tick(new Date(slot.getTime() + 100), [defA]), b.app.get(LocalJobEngine).tick(new Date(slot.getTime() + 1900), [defB])]);
    await Promise.all([a.app.get(LocalJobEngine).drain(), b.app.get(LocalJobEngine).drain()]);
    expect(await notificationsOf(a, u.userId)).toHaveLength(1);
    await waitFor(() => mailsTo(u.email).length === 1, 'one mail');
    const runs = await a.dataSource.query(`SELECT outcome, counts FROM job_runs WHERE job = 'send-notifications'`);
    expect(runs).toHaveLength(1);
    expect(JSON.parse(runs[0].counts)).toMatchObject({ followUps: 1, mails: 1 });
  });

  it('respects the preferences: in-app only gets no mail, off gets nothing', async () => {
    const inApp = await userWithDue(['Barbara Liskov'], '2026-05-01T08:00:00Z');
    const off = await userWithDue(['Dennis Ritchie'], '2026-05-01T08:00:00Z');
    for (const [u, channel] of [
      [inApp, 'in-app'],
      [off, 'off'],
    ] as const) {
      const res = await submitForm(u.agent, '/settings/account', '/notifications/preferences', { 'followup.due': channel, digest: 'email', 'webhook.disabled': 'email', 'github.broken': 'in-app' });
      expect(res.status).toBe(303);
      const settings = await u.agent.get('/settings/account').expect(200);
      expect(settings.text).toContain(`name="followup.due" value="${channel}" checked`);
    }
    const before = smtp.messages.length;
    await a.app.get(DueFollowUpsJob).run(new Date('2026-05-01T08:00:10Z'));
    expect(await notificationsOf(a, inApp.userId)).toHaveLength(1);
    expect(await notificationsOf(a, off.userId)).toHaveLength(0);
    // the webhook event goes out whatever the preference
    expect(await dueEventsOf(a, off.userId)).toHaveLength(1);
    expect(mailsTo(inApp.email)).toHaveLength(0);
    expect(mailsTo(off.email)).toHaveLength(0);
    expect(smtp.messages.length).toBe(before);
    // a bad channel changes nothing
    const bad = await submitForm(inApp.agent, '/settings/account', '/notifications/preferences', { 'followup.due': 'pigeon' });
    expect(bad.status).toBe(303);
    expect((await inApp.agent.get('/settings/account')).text).toContain('name="followup.due" value="in-app" checked');
  });

  it('notify() honours the mail of other kinds only for users who chose e-mail', async () => {
    const u = await apiUser(a);
    const mail = { subject: 'Your digest', text: 'Three people to reach out to', html: '<p>Three people</p>' };
    const notifications = a.app.get(NotificationsService);
    expect(await notifications.notify(u.userId, { type: 'digest', title: 'Digest ready', mail })).toMatchObject({ channel: 'email', inApp: true, mailed: true });
    expect(mailsTo(u.email).map((m) => m.subject)).toEqual(['Your digest']);
    await notifications.setPreferences(u.userId, { digest: 'in-app' });
    expect(await notifications.notify(u.userId, { type: 'digest', title: 'Digest ready', mail })).toMatchObject({ channel: 'in-app', inApp: true, mailed: false });
    expect(mailsTo(u.email)).toHaveLength(1);
  });

  it('lists newest first, marks one or all read, and 404s for a notification that is not yours', async () => {
    const u = await userWithDue(['Ken Thompson'], '2026-06-01T08:00:00Z');
    const other = await apiUser(a);
    await a.app.get(DueFollowUpsJob).run(new Date('2026-06-01T08:00:10Z'));
    const [row] = await a.dataSource.query(`SELECT id FROM notifications WHERE user_id = '${u.userId}'`);
    const page = await u.agent.get('/notifications').expect(200);
    expect(page.text).toContain('Follow up with Ken Thompson');
    const csrf = csrfFrom(page.text);
    await other.agent.post(`/notifications/${row.id}/read`).type('form').send({ _csrf: csrfFrom((await other.agent.get('/notifications')).text) }).expect(404);
    await u.agent.post(`/notifications/${randomUUID()}/read`).type('form').send({ _csrf: csrf }).expect(404);
    await u.agent.post(`/notifications/${row.id}/read`).type('form').send({ _csrf: csrf }).expect(303);
    const [after] = await a.dataSource.query(`SELECT read_at FROM notifications WHERE id = '${row.id}'`);
    expect(after.read_at).not.toBeNull();
    expect((await u.agent.get('/dashboard')).text).toMatch(/aria-label="0 unread notifications"/);
  });
});
