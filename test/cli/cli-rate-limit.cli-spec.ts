import { apiUser, ApiClient, createApiKey } from '../support/api';
import { startTestApp, TestApp } from '../support/test-app';
import { CliHome } from './cli-support';

// every step spawns the built CLI (a Node start-up each): generous on a busy machine
jest.setTimeout(180_000);

describe('devhub and the rate limit (RATE_LIMIT_FREE=3)', () => {
  let t: TestApp;
  let home: CliHome;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_FREE: '3' });
    home = new CliHome(t.baseUrl);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    home.remove();
    await t.drop();
  });

  it('a 429 is waited out for Retry-After seconds with a notice, then the command succeeds', async () => {
    const user = await apiUser(t, 'Busy User');
    const key = new ApiClient(t, await createApiKey(user.agent, 'write', 'busy'));
    // use up this minute's budget (all of the account's keys share it, and apiUser spent one already)
    for (let i = 0, status = 200; i < 3 && status === 200; i++) status = (await key.get('/api/me')).status;
    const after = Date.now();
    await key.get('/api/me').expect(429);
    // the throttler reads Date.now: move it on so that the window ends a few seconds from now
    const real = Date.now.bind(Date);
    const shift = 55_000 - (real() - after);
    jest.spyOn(Date, 'now').mockImplementation(() => real() + shift);
    const blocked = await key.get('/api/me').expect(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(6);

    const r = await home.run(['whoami', '--json'], { DEVHUB_TOKEN: key.key });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Rate limit reached: waiting \d s before retrying \(Retry-After\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Busy User', rateLimit: { limit: 3, windowSeconds: 60 } });
  });
});
