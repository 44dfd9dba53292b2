import { ViewRecorder } from '../../src/analytics/view-recorder.service';
import { Clock } from '../../src/common/clock';
import { signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Twitterbot/1.0',
  'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
  'WhatsApp/2.23.20.0 A',
  'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  'TelegramBot (like TwitterBot)',
  'Mastodon/4.2.1 (http.rb/5.1.1; +https://mastodon.social/)',
  'curl/8.5.0',
  '',
];

describe('profile view analytics', () => {
  let t: TestApp;
  let recorder: ViewRecorder;
  let now: Date;

  beforeAll(async () => {
    t = await startTestApp();
    recorder = t.app.get(ViewRecorder);
    // the test decides when buffered views are written (and the 30-minute window runs on this clock)
    recorder.onModuleDestroy();
    now = new Date('2030-03-10T12:00:00Z');
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => now);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.drop();
  });

  async function owner(username: string, name = 'Owner'): Promise<Agent> {
    const agent = t.agent();
    await signUp(agent, { name });
    const res = await submitForm(agent, '/settings/profile', '/settings/profile', { username, isPublic: 'on', displayName: name, bioFormat: 'text' });
    expect(res.status).toBe(303);
    return agent;
  }
  const view = (username: string, ua: string, extra: Record<string, string> = {}, agent: Agent = t.agent()) => {
    const req = agent.get(`/@${username}`).set('User-Agent', ua);
    for (const [k, v] of Object.entries(extra)) req.set(k, v);
    return req.expect(200);
  };
  const rows = (username: string) =>
    t.dataSource.query(
      `SELECT v.viewer_id, v.ip_address, v.referrer, v.day FROM profile_views v JOIN public_profiles p ON p.id = v.profile_id WHERE p.username = '${username}' ORDER BY v.created_at`,
    );
  const viewCount = async (username: string) => Number((await t.dataSource.query(`SELECT view_count FROM public_profiles WHERE username = '${username}'`))[0].view_count);

  it('counts each visitor once per 30 minutes, and never bots, link previews, prefetches or the owner', async () => {
    const mine = await owner('counted');
    await view('counted', SAFARI, { Referer: 'https://news.ycombinator.com/item?id=42&secret=1' });
    await view('counted', SAFARI); // same visitor, same half hour
    await view('counted', FIREFOX);
    for (const ua of BOTS) await view('counted', ua);
    await view('counted', CHROME, { 'Sec-Purpose': 'prefetch' });
    await t.agent().head('/@counted').set('User-Agent', CHROME).expect(200);
    await view('counted', CHROME, {}, mine); // the owner, signed in
    const stranger = t.agent();
    await signUp(stranger, { name: 'Stranger' });
    await view('counted', CHROME, { Referer: 'https://www.linkedin.com/feed/' }, stranger); // signed in, not the owner

    // buffered, not written yet: the page did not wait for the database
    expect(recorder.pending).toBe(3);
    expect(await rows('counted')).toEqual([]);
    expect(await recorder.flush()).toBe(3);
    expect(recorder.pending).toBe(0);

    const written = await rows('counted');
    expect(written).toHaveLength(3);
    expect(await viewCount('counted')).toBe(3);
    // the referrer keeps its host only; the IP is only ever a salted hash
    expect(written.map((r: { referrer: string | null }) => r.referrer)).toEqual(['news.ycombinator.com', null, 'linkedin.com']);
    for (const r of written) {
      expect(r.ip_address).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(r.ip_address).not.toContain('127.0.0.1');
      expect(r.viewer_id).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(r.day).toBe('2030-03-10');
    }
    // one address, so one IP hash; three browsers, so three visitors
    expect(new Set(written.map((r: { ip_address: string }) => r.ip_address)).size).toBe(1);
    expect(new Set(written.map((r: { viewer_id: string }) => r.viewer_id)).size).toBe(3);
    const everything = JSON.stringify(await t.dataSource.query(`SELECT * FROM profile_views`));
    expect(everything).not.toMatch(/127\.0\.0\.1|::1|Mozilla|secret=1/);

    // half an hour later the same visitor counts again
    now = new Date(now.getTime() + 31 * 60_000);
    await view('counted', SAFARI);
    await view('counted', SAFARI);
    await recorder.flush();
    expect(await viewCount('counted')).toBe(4);
    expect(await rows('counted')).toHaveLength(4);
  });

  it('rotates the salt every day and keeps no old salt', async () => {
    await owner('salted');
    now = new Date('2030-04-01T09:00:00Z');
    await view('salted', FIREFOX);
    await recorder.flush();
    now = new Date('2030-04-02T09:00:00Z');
    await view('salted', FIREFOX);
    await recorder.flush();
    const [day1, day2] = await rows('salted');
    expect(day1.ip_address).not.toBe(day2.ip_address);
    expect(day1.viewer_id).not.toBe(day2.viewer_id);
    const salts = await t.dataSource.query(`SELECT day FROM analytics_daily_salts`);
    expect(salts).toEqual([{ day: '2030-04-02' }]);
  });

  it('keeps view_count in step with the rows when many views arrive at once', async () => {
    await owner('busy');
    now = new Date('2030-05-01T10:00:00Z');
    await Promise.all(Array.from({ length: 40 }, (_, i) => view('busy', `${FIREFOX} visitor/${i}`)));
    await recorder.flush();
    expect(await viewCount('busy')).toBe(40);
    expect(await rows('busy')).toHaveLength(40);
  });

  it('shows views, unique visitors, referrers and totals for the last 30 and 90 days', async () => {
    const agent = await owner('charted', 'Chart Owner');
    const visit = async (at: string, ua: string, referrer?: string) => {
      now = new Date(at);
      await view('charted', ua, referrer ? { Referer: referrer } : {});
    };
    await visit('2030-06-01T10:00:00Z', SAFARI, 'https://github.com/someone'); // 79 days before "today"
    await visit('2030-08-01T10:00:00Z', SAFARI, 'https://github.com/someone');
    await visit('2030-08-01T10:05:00Z', FIREFOX, 'https://news.ycombinator.com/');
    await visit('2030-08-18T08:00:00Z', SAFARI, 'https://github.com/other');
    await visit('2030-08-19T08:00:00Z', CHROME);
    await visit('2030-08-19T09:00:00Z', FIREFOX, 'https://github.com/x');
    await recorder.flush();
    now = new Date('2030-08-19T12:00:00Z');

    const page30 = await agent.get('/analytics').expect(200);
    expect(page30.text).toContain('Views of <a href="/@charted">/@charted</a>');
    const stat = (html: string, name: string) => Number(new RegExp(`data-stat="${name}">(\\d+)<`).exec(html)?.[1]);
    expect(stat(page30.text, 'views')).toBe(5);
    expect(stat(page30.text, 'visitors')).toBe(5);
    expect(stat(page30.text, 'today')).toBe(2);
    expect(stat(page30.text, 'all-time')).toBe(6);
    expect(page30.text).toMatch(/<svg class="chart" viewBox="0 0 720 220" role="img"/);
    expect(page30.text).toContain('<title>Aug 1: 2 views, 2 visitors</title>');
    expect(page30.text.match(/class="chart-day"/g)).toHaveLength(30);
    expect(page30.text).toContain('<tr><td>Aug 19</td><td class="analytics-num">2</td><td class="analytics-num">2</td></tr>');
    const referrers = [...page30.text.matchAll(/<tr><td>(?:<span class="muted">)?([^<]+)(?:<\/span>)?<\/td><td class="analytics-num">(\d+)<\/td><td class="analytics-num">(\d+)%<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2])]);
    expect(referrers).toEqual([
      ['github.com', 3],
      ['news.ycombinator.com', 1],
      ['Direct or unknown', 1],
    ]);

    const page90 = await agent.get('/analytics?range=90').expect(200);
    expect(stat(page90.text, 'views')).toBe(6);
    expect(page90.text.match(/class="chart-day"/g)).toHaveLength(90);
    expect(page90.text).toContain('<a href="/analytics?range=90" aria-current="page">90 days</a>');

    // another user sees their own (empty) statistics, never these
    const other = await owner('someone-else', 'Someone Else');
    const theirs = await other.get('/analytics').expect(200);
    expect(stat(theirs.text, 'views')).toBe(0);
    expect(theirs.text).toContain('No views in the last 30 days yet.');
    expect(theirs.text).not.toContain('github.com');
    const none = t.agent();
    await signUp(none);
    expect((await none.get('/analytics').expect(200)).text).toContain('You have no public profile yet.');
    expect((await t.agent().get('/analytics').expect(303)).headers.location).toBe('/login?next=%2Fanalytics');
  });
});
