import { isBotUserAgent, isPrefetch } from './bot-detector';
import { dayKey, dayRange } from './day-key';
import { referrerHost } from './view-recorder.service';

describe('view counting helpers', () => {
  it('keeps only the referrer host', () => {
    expect(referrerHost('https://www.news.ycombinator.com/item?id=1')).toBe('news.ycombinator.com');
    expect(referrerHost('android-app://com.slack')).toBeNull();
    expect(referrerHost('not a url')).toBeNull();
    expect(referrerHost(undefined)).toBeNull();
  });

  it('recognises bots, link previews and prefetches', () => {
    expect(isBotUserAgent('Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)')).toBe(true);
    expect(isBotUserAgent('')).toBe(true);
    expect(isBotUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe(false);
    expect(isPrefetch({ 'sec-purpose': 'prefetch;prerender' })).toBe(true);
    expect(isPrefetch({})).toBe(false);
  });

  it('buckets views by calendar day in the owner’s time zone', () => {
    const at = new Date('2030-01-01T02:30:00Z');
    expect(dayKey(at, 'UTC')).toBe('2030-01-01');
    expect(dayKey(at, 'America/Los_Angeles')).toBe('2029-12-31');
    expect(dayKey(at, 'Not/AZone')).toBe('2030-01-01');
    expect(dayRange('2030-03-01', 3)).toEqual(['2030-02-27', '2030-02-28', '2030-03-01']);
  });
});
