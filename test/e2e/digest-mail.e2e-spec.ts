import { DigestService } from '../../src/agent/digest.service';
import { FakeSmtp, startFakeSmtp } from '../fakes/fake-smtp';
import { Browser } from '../support/crm';
import { startTestApp, TestApp, waitFor } from '../support/test-app';

/** The digest e-mail through the loopback SMTP server: plain text and HTML, in the user's time zone. */
describe('digest e-mail', () => {
  let smtp: FakeSmtp;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url });
  });

  afterAll(async () => {
    await t?.drop();
    await smtp?.close();
  });

  it('is sent to the user with the priorities, both parts, and times in their zone', async () => {
    const user = await Browser.signUp(t, 'Mia Mailer');
    await user.setTimezone('Asia/Tokyo', 'Mia Mailer');
    await user.createContact({ name: 'Vic <Vip> Person', isVip: 'true' });
    const before = smtp.messages.length;
    const { view } = await t.app.get(DigestService).buildForUserId(await user.userId());
    expect(view.priorities.map((p) => p.contactName)).toEqual(['Vic <Vip> Person']);
    const mail = await waitFor(() => smtp.messages.slice(before).find((m) => m.to.includes(user.email.toLowerCase()) && !m.subject.startsWith('Confirm your e-mail')), 'the digest e-mail', 15_000);
    expect(mail.subject).toMatch(/^Your digest for .+: 1 person to reach out to$/);
    const raw = mail.raw.replace(/=\r?\n/g, '');
    expect(raw).toMatch(/multipart\/alternative/);
    expect(raw).toContain('text/plain');
    expect(raw).toContain('text/html');
    expect(raw).toContain('Vic <Vip> Person'); // the plain part, as is
    expect(raw.replace(/=26/g, '&')).toContain('Vic &lt;Vip&gt; Person'); // the HTML part, escaped
    expect(raw).toContain('(Asia/Tokyo)');
    expect(raw).toContain('/digest');
  });
});
