import { linkLabel, normalizeLinks, normalizeWebUrl } from './profile-links';

describe('profile links', () => {
  it('turns handles and URLs into one normalised URL per kind', () => {
    const { links, errors } = normalizeLinks({
      github: '@octocat',
      twitter: 'https://twitter.com/jack',
      linkedin: 'https://de.linkedin.com/in/some-one/',
      mastodon: '@ada@hachyderm.io',
      bluesky: 'https://bsky.app/profile/ada.bsky.social',
      other: 'blog.example.com/notes',
    });
    expect(errors).toEqual({});
    expect(links).toEqual({
      github: 'https://github.com/octocat',
      twitter: 'https://x.com/jack',
      linkedin: 'https://www.linkedin.com/in/some-one',
      mastodon: 'https://hachyderm.io/@ada',
      bluesky: 'https://bsky.app/profile/ada.bsky.social',
      other: 'https://blog.example.com/notes',
    });
    expect(linkLabel('mastodon', links.mastodon!)).toBe('@ada@hachyderm.io');
    expect(linkLabel('github', links.github!)).toBe('@octocat');
  });

  it('names each bad field and ignores empty ones', () => {
    const { links, errors } = normalizeLinks({ github: 'https://gitlab.com/x', twitter: 'way too long handle', other: 'javascript:alert(1)', linkedin: '' });
    expect(links).toEqual({});
    expect(Object.keys(errors).sort()).toEqual(['links.github', 'links.other', 'links.twitter']);
    expect(normalizeLinks({ linkedin: 'https://www.linkedin.com/in/%E0%A4%A' }).errors).toEqual({ 'links.linkedin': expect.any(String) });
  });

  it('accepts only http(s) web URLs without credentials', () => {
    expect(normalizeWebUrl('https://ada.dev')).toBe('https://ada.dev/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'https://user:pw@ada.dev', 'ftp://ada.dev', 'https://localhost', 'http://ada dev']) {
      expect(normalizeWebUrl(bad)).toBeNull();
    }
  });
});
