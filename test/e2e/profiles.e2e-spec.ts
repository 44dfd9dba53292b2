import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ICAL from 'ical.js';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { Clock } from '../../src/common/clock';
import { DnsTxtResolver } from '../../src/profiles/dns-txt-resolver';
import { PublicProfilesService } from '../../src/profiles/public-profiles.service';
import { SitemapService } from '../../src/profiles/sitemap.service';
import { FakeDns, startFakeDns } from '../fakes/fake-dns';
import { csrfFrom, signUp, startTestApp, submitForm, TestApp } from '../support/test-app';

type Agent = ReturnType<TestApp['agent']>;

const BASE = 'http://127.0.0.1:3999'; // BASE_URL of the test app; requests go to another port
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const PROFILE_DEFAULTS = {
  isPublic: 'on',
  displayName: 'Ada Lovelace',
  headline: '',
  bio: '',
  bioFormat: 'text',
  location: '',
  website: '',
  avatarUrl: '',
};

function saveProfile(agent: Agent, fields: Record<string, string>) {
  const body: Record<string, string> = { ...PROFILE_DEFAULTS, ...fields };
  if (fields.isPublic === '') delete body.isPublic;
  return submitForm(agent, '/settings/profile', '/settings/profile', body);
}

async function userWithProfile(t: TestApp, username: string, fields: Record<string, string> = {}) {
  const agent = t.agent();
  await signUp(agent, { name: fields.displayName ?? 'Ada Lovelace', email: `${username}-${Date.now()}@example.com` });
  const res = await saveProfile(agent, { username, ...fields });
  if (res.status !== 303) throw new Error(`saving @${username} answered ${res.status}: ${res.text.slice(0, 400)}`);
  return agent;
}

const jsonLdOf = (html: string) => {
  const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(1);
  return { raw: blocks[0]!, data: JSON.parse(blocks[0]!) as Record<string, unknown> };
};
const meta = (html: string, attr: 'name' | 'property', key: string) => new RegExp(`<meta ${attr}="${key}" content="([^"]*)">`).exec(html)?.[1];
const decodeEntities = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

describe('public profiles', () => {
  let t: TestApp;
  let dns: FakeDns;

  beforeAll(async () => {
    t = await startTestApp();
    dns = await startFakeDns();
    t.app.get(DnsTxtResolver).useServers([dns.server]);
  });
  afterAll(async () => {
    await t.drop();
    await dns.close();
  });

  describe('the editor', () => {
    it('sends anonymous visitors to log in', async () => {
      const res = await t.agent().get('/settings/profile').expect(303);
      expect(res.headers.location).toBe('/login?next=%2Fsettings%2Fprofile');
    });

    it('starts a new profile from the account: suggested username, name, public, and a preview', async () => {
      const agent = t.agent();
      await signUp(agent, { name: 'Grace Brewster Hopper' });
      const page = await agent.get('/settings/profile').expect(200);
      expect(page.text).toContain('value="grace-brewster-hopper"');
      expect(page.text).toContain('value="Grace Brewster Hopper"');
      expect(page.text).toMatch(/name="isPublic" checked/);
      expect(page.text).toContain('id="profile-preview"');
      expect(page.text).toContain('Publish profile');
    });

    it('previews unsaved input without saving it', async () => {
      const agent = t.agent();
      await signUp(agent);
      const page = await agent.get('/settings/profile').expect(200);
      const fields = { _csrf: csrfFrom(page.text), ...PROFILE_DEFAULTS, username: 'preview-only', displayName: 'Preview <Person>', bio: 'Hello **there**', bioFormat: 'markdown' };
      const card = await agent.post('/settings/profile/preview').set('x-preview', 'card').type('form').send(fields).expect(200);
      expect(card.text).toContain('<article class="profile-card profile-card-preview">');
      expect(card.text).toContain('Preview &lt;Person&gt;');
      expect(card.text).toContain('<strong>there</strong>');
      expect(card.text).not.toContain('<html');
      const full = await agent.post('/settings/profile/preview').type('form').send(fields).expect(200);
      expect(full.text).toContain('This is a preview. Nothing has been saved yet.');
      expect(full.text).toContain('value="preview-only"');
      const rows = await t.dataSource.query(`SELECT id FROM public_profiles WHERE username = 'preview-only'`);
      expect(rows).toEqual([]);
    });

    it('refuses reserved, malformed and duplicate usernames, keeping the input', async () => {
      await userWithProfile(t, 'taken-name');
      const agent = t.agent();
      await signUp(agent);
      for (const reserved of ['admin', 'api', 'login', 'settings', 'static', 'Settings']) {
        const res = await saveProfile(agent, { username: reserved });
        expect(res.status).toBe(422);
        expect(res.text).toContain('This username is reserved.');
        expect(res.text).toContain(`value="${reserved}"`);
      }
      for (const bad of ['ab', 'x'.repeat(40), 'has space', 'under_score', '-lead', 'trail-', 'dot.ted', 'émile']) {
        const res = await saveProfile(agent, { username: bad });
        expect(res.status).toBe(422);
        expect(res.text).toMatch(/Use 3 to 39 characters\.|Use only letters a–z, digits and hyphens/);
      }
      const dup = await saveProfile(agent, { username: 'Taken-Name' });
      expect(dup.status).toBe(422);
      expect(dup.text).toContain('This username is taken.');
      expect(dup.text).toContain('value="Taken-Name"');
      const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM public_profiles WHERE username = 'taken-name'`);
      expect(Number(n)).toBe(1);
      // letters in any case are accepted and stored lower-case
      const ok = await saveProfile(agent, { username: 'Mixed-Case-42' });
      expect(ok.status).toBe(303);
      await t.agent().get('/@mixed-case-42').set('Accept', 'text/html').expect(200);
    });

    it('explains bad links, website and avatar beside each field', async () => {
      const agent = t.agent();
      await signUp(agent);
      const res = await saveProfile(agent, {
        username: 'bad-links',
        website: 'javascript:alert(1)',
        avatarUrl: 'https://evil.example/me.png',
        'links[github]': 'https://gitlab.com/someone',
        'links[twitter]': 'not a handle!',
        'links[other]': 'ftp://files.example',
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Enter a link such as https://ada.dev.');
      expect(res.text).toContain('Use your GitHub avatar');
      expect(res.text).toContain('Enter a GitHub username or https://github.com/… link.');
      expect(res.text).toContain('Enter an X/Twitter handle or https://x.com/… link.');
      expect(res.text).toContain('Enter a link starting with https://.');
      expect(res.text).toContain('value="https://gitlab.com/someone"');
    });
  });

  describe('/@username', () => {
    it('renders the profile with title, description, canonical, Open Graph, Twitter card and Person JSON-LD', async () => {
      const owner = await userWithProfile(t, 'ada-l', {
        displayName: 'Ada Lovelace',
        headline: 'First programmer',
        bio: 'Notes on the Analytical Engine.\nMore at https://ada.dev/notes',
        location: 'London',
        website: 'https://ada.dev',
        avatarUrl: 'https://avatars.githubusercontent.com/u/1?v=4',
        'links[github]': '@ada-l',
        'links[twitter]': 'https://twitter.com/ada',
        'links[mastodon]': '@ada@hachyderm.io',
      });
      const ownerEmail = (await owner.get('/settings/account')).text.match(/name="email"[^>]*value="([^"]+)"/)?.[1];
      const res = await t.agent().get('/@ada-l').set('User-Agent', BROWSER).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const html = res.text;
      expect(html).toContain('<title>Ada Lovelace (@ada-l) · DevHub</title>');
      expect(meta(html, 'name', 'description')).toBe('First programmer · Notes on the Analytical Engine. More at https://ada.dev/notes');
      // absolute URLs come from BASE_URL, never from the Host the request used
      expect(html).toContain(`<link rel="canonical" href="${BASE}/@ada-l">`);
      expect(meta(html, 'property', 'og:type')).toBe('profile');
      expect(meta(html, 'property', 'og:url')).toBe(`${BASE}/@ada-l`);
      expect(meta(html, 'property', 'og:title')).toBe('Ada Lovelace · First programmer');
      expect(meta(html, 'property', 'og:image')).toBe('https://avatars.githubusercontent.com/u/1?v&#x3D;4');
      expect(meta(html, 'name', 'twitter:card')).toBe('summary');
      expect(meta(html, 'name', 'twitter:creator')).toBe('@ada');
      expect(meta(html, 'name', 'twitter:description')).toBe(meta(html, 'name', 'description'));

      const { data } = jsonLdOf(html);
      expect(data).toEqual({
        '@context': 'https://schema.org',
        '@type': 'Person',
        '@id': `${BASE}/@ada-l#person`,
        name: 'Ada Lovelace',
        alternateName: '@ada-l',
        url: `${BASE}/@ada-l`,
        jobTitle: 'First programmer',
        description: 'Notes on the Analytical Engine. More at https://ada.dev/notes',
        image: 'https://avatars.githubusercontent.com/u/1?v=4',
        homeLocation: { '@type': 'Place', name: 'London' },
        sameAs: ['https://ada.dev/', 'https://github.com/ada-l', 'https://x.com/ada', 'https://hachyderm.io/@ada'],
        identifier: { '@type': 'PropertyValue', propertyID: 'GitHub', value: 'ada-l' },
      });

      // the page itself: links, QR code inline, vCard download, no script needed, nothing private
      expect(html).toContain('href="https://github.com/ada-l"');
      expect(html).toContain('<p>Notes on the Analytical Engine.<br>More at <a href="https://ada.dev/notes" rel="nofollow ugc noopener">https://ada.dev/notes</a></p>');
      expect(html).toMatch(/<svg class="qr-svg" role="img" aria-label="QR code linking to http:\/\/127\.0\.0\.1:3999\/@ada-l"/);
      expect(html).toContain('href="/@ada-l.vcf" download');
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(ownerEmail).toBeTruthy();
      expect(html).not.toContain(ownerEmail!);
      expect(html).not.toContain('Add to my DevHub');
      expect(res.headers['content-security-policy']).toContain('img-src \'self\' data: https://avatars.githubusercontent.com');
    });

    it('escapes a hostile name, headline and bio in the page, the meta tags and the JSON-LD', async () => {
      const hostileBio = `</script><script>alert("bio")</script> {{constructor.constructor 'x'}} "quoted" & 'single' <img src=x onerror=alert(1)> \u2028 <!-- [x](javascript:alert(1))`;
      const hostileName = `Eve "</title><script>alert(2)</script>`;
      for (const bioFormat of ['text', 'markdown']) {
        const username = `eve-${bioFormat}`;
        await userWithProfile(t, username, { displayName: hostileName, headline: `{{7*7}} </script><b>bold</b>`, bio: hostileBio, bioFormat, location: `"><svg onload=alert(3)>` });
        const html = (await t.agent().get(`/@${username}`).expect(200)).text;
        // only the JSON-LD block is a script, and nothing the user wrote became a tag
        expect(html.match(/<script/gi)).toHaveLength(1);
        expect(html).not.toMatch(/<img src=x|<svg onload|<b>bold|<!--/);
        expect(html).not.toContain('href="javascript');
        expect(html).toContain('<title>Eve &quot;&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; (@' + username + ') · DevHub</title>');
        expect(html).toContain('{{constructor.constructor &#x27;x&#x27;}}');
        expect(html).toContain('{{7*7}}');
        // the JSON-LD block contains no angle bracket or ampersand at all, and still says exactly what was written
        const { raw, data } = jsonLdOf(html);
        expect(raw).not.toMatch(/[<>&\u2028]/);
        expect(data.name).toBe(hostileName);
        expect(data.jobTitle).toBe(`{{7*7}} </script><b>bold</b>`);
        expect(String(data.description)).toContain('</script><script>alert("bio")</script>');
        // meta values are attribute-escaped and decode back to the text
        expect(decodeEntities(meta(html, 'property', 'og:title')!)).toBe(`${hostileName} · {{7*7}} </script><b>bold</b>`);
        expect(meta(html, 'name', 'description')).not.toMatch(/[<>"]/);
      }
    });

    it('answers the same 404 for unknown and private profiles, on every public route', async () => {
      const owner = await userWithProfile(t, 'hidden-one', { isPublic: '' });
      const [row] = await t.dataSource.query(`SELECT is_public FROM public_profiles WHERE username = 'hidden-one'`);
      expect(Boolean(row.is_public)).toBe(false);
      const bodies: string[] = [];
      for (const name of ['hidden-one', 'nobody-here']) {
        const page = await t.agent().get(`/@${name}`).set('Accept', 'text/html').expect(404);
        bodies.push(page.text);
        await t.agent().get(`/@${name}.vcf`).expect(404);
        await t.agent().get(`/@${name}/qr.svg`).expect(404);
        await t.agent().get(`/@${name}/qr.png`).expect(404);
        const api = await t.agent().get(`/api/profiles/@${name}`).expect(404);
        expect(api.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'This page does not exist.' });
      }
      expect(bodies[0]).toBe(bodies[1]);
      expect(bodies[0]).not.toContain('hidden-one');
      // the owner gets the same answer: the editor is where a private profile is seen
      await owner.get('/@hidden-one').set('Accept', 'text/html').expect(404);
      // and it can still print its QR code before publishing
      const qr = await owner.get('/settings/profile/qr.png').expect(200);
      expect(decodeQr(qr.body)).toBe(`${BASE}/@hidden-one`);
    });

    it('keeps the old username redirecting (301) for 90 days, and nobody else can take it meanwhile', async () => {
      const owner = await userWithProfile(t, 'old-handle');
      expect((await saveProfile(owner, { username: 'new-handle' })).status).toBe(303);
      const page = await t.agent().get('/@old-handle').expect(301);
      expect(page.headers.location).toBe('/@new-handle');
      expect((await t.agent().get('/@old-handle.vcf').expect(301)).headers.location).toBe('/@new-handle.vcf');
      expect((await t.agent().get('/@old-handle/qr.png').expect(301)).headers.location).toBe('/@new-handle/qr.png');
      expect((await t.agent().get('/api/profiles/@old-handle').expect(301)).headers.location).toBe('/api/profiles/@new-handle');
      // other letter case goes to the canonical address
      expect((await t.agent().get('/@New-Handle').expect(301)).headers.location).toBe('/@new-handle');
      await t.agent().get('/@new-handle').expect(200);

      const other = t.agent();
      await signUp(other);
      const refused = await saveProfile(other, { username: 'old-handle' });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('This username is taken.');

      // 91 days later the redirect is gone and the name is free again
      const clock = t.app.get(Clock);
      const later = new Date(Date.now() + 91 * 86_400_000);
      const spy = jest.spyOn(clock, 'now').mockReturnValue(later);
      try {
        t.app.get(PublicProfilesService).invalidate(); // lookups are cached for 2 s of real time
        await t.agent().get('/@old-handle').set('Accept', 'text/html').expect(404);
        expect((await saveProfile(other, { username: 'old-handle' })).status).toBe(303);
        await t.agent().get('/@old-handle').expect(200);
      } finally {
        spy.mockRestore();
      }
    });

    it('in production, serves anonymous views from a page cache that any change clears at once', async () => {
      const prod = await startTestApp({ NODE_ENV: 'production' });
      try {
        const owner = await userWithProfile(prod, 'cached', { headline: 'First headline' });
        for (let i = 0; i < 2; i++) {
          const res = await prod.agent().get('/@cached').set('User-Agent', BROWSER).expect(200);
          expect(res.text).toContain('First headline');
          expect(res.headers['cache-control']).toBe('private, no-cache');
          expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        }
        expect((await saveProfile(owner, { username: 'cached', headline: 'Second headline' })).status).toBe(303);
        expect((await prod.agent().get('/@cached').expect(200)).text).toContain('Second headline');
        expect((await saveProfile(owner, { username: 'cached', isPublic: '' })).status).toBe(303);
        await prod.agent().get('/@cached').set('Accept', 'text/html').expect(404);
      } finally {
        await prod.drop();
      }
    });

    it('lets the owner take back their own old username', async () => {
      const owner = await userWithProfile(t, 'back-and-forth');
      expect((await saveProfile(owner, { username: 'forth-and-back' })).status).toBe(303);
      expect((await saveProfile(owner, { username: 'back-and-forth' })).status).toBe(303);
      await t.agent().get('/@back-and-forth').expect(200);
      expect((await t.agent().get('/@forth-and-back').expect(301)).headers.location).toBe('/@back-and-forth');
    });
  });

  describe('QR codes and vCards', () => {
    it('serves the QR code as PNG and SVG, encoding BASE_URL/@username, and follows a username change', async () => {
      const owner = await userWithProfile(t, 'qr-person');
      const png = await t.agent().get('/@qr-person/qr.png').expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(decodeQr(png.body)).toBe(`${BASE}/@qr-person`);
      const svg = await t.agent().get('/@qr-person/qr.svg').expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(svg.text ?? svg.body.toString()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      // cached: the same ETag, and a revalidation costs nothing
      await t.agent().get('/@qr-person/qr.png').set('If-None-Match', png.headers.etag).expect(304);

      expect((await saveProfile(owner, { username: 'qr-renamed' })).status).toBe(303);
      const renamed = await t.agent().get('/@qr-renamed/qr.png').expect(200);
      expect(decodeQr(renamed.body)).toBe(`${BASE}/@qr-renamed`);
      expect(renamed.headers.etag).not.toBe(png.headers.etag);
      const download = await owner.get('/settings/profile/qr.png').expect(200);
      expect(download.headers['content-disposition']).toBe('attachment; filename="devhub-qr-renamed-qr.png"');
      expect(decodeQr(download.body)).toBe(`${BASE}/@qr-renamed`);
    });

    it('serves a vCard 4.0 that parses, with the public fields', async () => {
      await userWithProfile(t, 'card-person', {
        displayName: 'Jean, "JJ"; Doe',
        headline: 'Engineer; speaker',
        bio: 'Line one\nLine two, with commas; and semicolons',
        location: 'Paris',
        website: 'https://jj.example',
        'links[github]': 'jjdoe',
        'links[linkedin]': 'https://www.linkedin.com/in/jj-doe',
      });
      const res = await t.agent().get('/@card-person.vcf').buffer(true).parse((r, cb) => {
        let data = '';
        r.on('data', (c: Buffer) => (data += c.toString('utf8')));
        r.on('end', () => cb(null, data));
      }).expect(200);
      expect(res.headers['content-type']).toBe('text/vcard; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="card-person.vcf"');
      const text = res.body as string;
      expect(text.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\n')).toBe(true);
      const card = new ICAL.Component(ICAL.parse(text) as unknown[]);
      expect(card.name).toBe('vcard');
      expect(card.getFirstPropertyValue('version')).toBe('4.0');
      expect(card.getFirstPropertyValue('fn')).toBe('Jean, "JJ"; Doe');
      expect(card.getFirstPropertyValue('nickname')).toBe('card-person');
      expect(card.getFirstPropertyValue('title')).toBe('Engineer; speaker');
      expect(card.getFirstPropertyValue('note')).toBe('Line one Line two, with commas; and semicolons');
      const urls = card.getAllProperties('url').map((p) => p.getFirstValue());
      expect(urls).toEqual([`${BASE}/@card-person`, 'https://jj.example/']);
      const socials = card.getAllProperties('x-socialprofile').map((p) => p.getFirstValue());
      expect(socials).toEqual(['https://github.com/jjdoe', 'https://www.linkedin.com/in/jj-doe']);
    });
  });

  describe('JSON API', () => {
    it('returns the public fields only, open to any origin', async () => {
      await userWithProfile(t, 'api-person', { headline: 'Builds APIs', website: 'https://api.example', 'links[bluesky]': 'api.bsky.social' });
      const res = await t.agent().get('/api/profiles/@api-person').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(Number(res.headers['x-ratelimit-limit'])).toBe(60);
      expect(res.body).toEqual({
        username: 'api-person',
        displayName: 'Ada Lovelace',
        headline: 'Builds APIs',
        bio: null,
        location: null,
        website: 'https://api.example/',
        links: { bluesky: 'https://bsky.app/profile/api.bsky.social' },
        avatarUrl: null,
        url: `${BASE}/@api-person`,
      });
      const preflight = await t.agent().options('/api/profiles/@api-person').expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(preflight.headers['access-control-allow-methods']).toContain('GET');
    });

    it('limits requests per client IP', async () => {
      const proxied = await startTestApp({ TRUST_PROXY: '1' });
      try {
        await userWithProfile(proxied, 'limited');
        for (let i = 0; i < 60; i++) {
          const ok = await proxied.agent().get('/api/profiles/@limited').set('X-Forwarded-For', '203.0.113.7');
          expect(ok.status).toBe(200);
        }
        const limited = await proxied.agent().get('/api/profiles/@limited').set('X-Forwarded-For', '203.0.113.7').expect(429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        expect(limited.headers['x-ratelimit-remaining']).toBe('0');
        expect(limited.body.statusCode).toBe(429);
        await proxied.agent().get('/api/profiles/@limited').set('X-Forwarded-For', '203.0.113.8').expect(200);
      } finally {
        await proxied.drop();
      }
    });
  });

  describe('sitemap and robots.txt', () => {
    it('lists exactly the public profiles with their last change, as valid XML, and splits into an index past the per-file limit', async () => {
      const s = await startTestApp();
      try {
        await userWithProfile(s, 'site-a');
        await userWithProfile(s, 'site-b');
        const renamed = await userWithProfile(s, 'site-old');
        expect((await saveProfile(renamed, { username: 'site-c' })).status).toBe(303);
        await userWithProfile(s, 'site-private', { isPublic: '' });
        const expected = ['site-a', 'site-b', 'site-c'].map((u) => `${BASE}/@${u}`);

        const res = await s.agent().get('/sitemap.xml').expect(200);
        expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
        expect(XMLValidator.validate(res.text)).toBe(true);
        const parser = new XMLParser({ isArray: (name) => name === 'url' || name === 'sitemap' });
        const doc = parser.parse(res.text);
        const urls = doc.urlset.url as Array<{ loc: string; lastmod: string }>;
        expect(urls.map((u) => u.loc)).toEqual(expected);
        for (const u of urls) expect(Date.parse(u.lastmod)).toBeGreaterThan(Date.now() - 3600_000);
        expect(res.text).toContain('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"');

        const robots = await s.agent().get('/robots.txt').expect(200);
        expect(robots.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(robots.text).toContain(`Sitemap: ${BASE}/sitemap.xml`);
        expect(robots.text).toContain('Allow: /@');

        // past the per-file limit (50,000; lowered here) the root becomes a sitemap index
        s.app.get(SitemapService).urlsPerFile = 2;
        const index = await s.agent().get('/sitemap.xml').expect(200);
        expect(XMLValidator.validate(index.text)).toBe(true);
        const files = (parser.parse(index.text).sitemapindex.sitemap as Array<{ loc: string }>).map((x) => x.loc);
        expect(files).toEqual([`${BASE}/sitemaps/profiles-1.xml`, `${BASE}/sitemaps/profiles-2.xml`]);
        const listed: string[] = [];
        for (const file of files) {
          const part = await s.agent().get(new URL(file).pathname).expect(200);
          expect(XMLValidator.validate(part.text)).toBe(true);
          listed.push(...(parser.parse(part.text).urlset.url as Array<{ loc: string }>).map((u) => u.loc));
        }
        expect(listed).toEqual(expected);
        await s.agent().get('/sitemaps/profiles-3.xml').expect(404);
        await s.agent().get('/sitemaps/profiles-0.xml').expect(404);
      } finally {
        await s.drop();
      }
    });
  });

  describe('custom domains', () => {
    const onDomain = (host: string, path = '/') => request(t.app.getHttpServer()).get(path).set('Host', host).set('Accept', 'text/html');

    it('verifies a domain through its DNS TXT record and then serves the profile at / on that Host', async () => {
      const owner = await userWithProfile(t, 'domain-owner', { displayName: 'Domain Owner' });
      const set = await submitForm(owner, '/settings/profile', '/settings/profile/domain', { customDomain: 'https://Ada.Example/' });
      expect(set.status).toBe(303);
      const settings = await owner.get('/settings/profile').expect(200);
      expect(settings.text).toContain('_devhub.ada.example');
      const token = decodeEntities(/(devhub-verify(?:=|&#x3D;)[A-Za-z0-9_-]+)/.exec(settings.text)![1]!);
      const [row] = await t.dataSource.query(`SELECT custom_domain, custom_domain_token, custom_domain_verified_at FROM public_profiles WHERE username = 'domain-owner'`);
      expect(row).toMatchObject({ custom_domain: 'ada.example', custom_domain_token: token, custom_domain_verified_at: null });

      // not verified yet: a plain 404, whatever the path
      for (const path of ['/', '/login', '/@domain-owner']) {
        const res = await onDomain('ada.example', path).expect(404);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.text).toBe('Not Found');
      }

      const missing = await submitForm(owner, '/settings/profile', '/settings/profile/domain/verify', {});
      expect(missing.status).toBe(422);
      expect(missing.text).toContain('No TXT record found at _devhub.ada.example');
      dns.setTxt('_devhub.ada.example', ['v=spf1 -all', 'devhub-verify=wrong']);
      const wrong = await submitForm(owner, '/settings/profile', '/settings/profile/domain/verify', {});
      expect(wrong.status).toBe(422);
      expect(wrong.text).toContain('does not hold the token yet');
      dns.setTxt('_devhub.ada.example', ['v=spf1 -all', token]);
      const ok = await submitForm(owner, '/settings/profile', '/settings/profile/domain/verify', {});
      expect(ok.status).toBe(303);
      expect(dns.queries).toContain('_devhub.ada.example');

      // Host is case-insensitive and its port is ignored; links still point at BASE_URL
      const home = await onDomain('ADA.example:8443').expect(200);
      expect(home.text).toContain('<h1 class="profile-name">Domain Owner</h1>');
      expect(home.text).toContain(`<link rel="canonical" href="${BASE}/@domain-owner">`);
      expect(home.text).not.toContain('ada.example');
      await onDomain('ada.example', '/@domain-owner.vcf').expect(200);
      await onDomain('ada.example', '/@domain-owner/qr.svg').expect(200);
      await onDomain('ada.example', '/static/css/app.css').expect(200);
      // nothing else of DevHub lives there
      for (const path of ['/login', '/dashboard', '/settings/profile', '/@someone-else', '/api/profiles/@domain-owner']) {
        const res = await onDomain('ada.example', path).expect(404);
        expect(res.text).toBe('Not Found');
      }
      await request(t.app.getHttpServer()).post('/').set('Host', 'ada.example').expect(404);

      // nobody else can claim a verified domain
      const other = await userWithProfile(t, 'domain-squatter');
      const squat = await submitForm(other, '/settings/profile', '/settings/profile/domain', { customDomain: 'ada.example' });
      expect(squat.status).toBe(422);
      expect(squat.text).toContain('already connected to another DevHub profile');

      // removed: a plain 404 again
      const removed = await submitForm(owner, '/settings/profile', '/settings/profile/domain/remove', {});
      expect(removed.status).toBe(303);
      expect((await onDomain('ada.example').expect(404)).text).toBe('Not Found');
    });

    it('answers a plain 404 for unknown domains and leaves DevHub’s own host, IPs and localhost alone', async () => {
      expect((await onDomain('never-configured.example').expect(404)).text).toBe('Not Found');
      await onDomain('127.0.0.1:3999', '/login').expect(200);
      await onDomain('localhost', '/login').expect(200);
      await onDomain('127.0.0.1', '/login').expect(200);
    });

    it('refuses DevHub’s own host, IP addresses and nonsense as a domain', async () => {
      const owner = await userWithProfile(t, 'domain-refusals');
      for (const customDomain of ['127.0.0.1', 'localhost', 'not a domain', '10.0.0.1', 'http://[::1]/']) {
        const res = await submitForm(owner, '/settings/profile', '/settings/profile/domain', { customDomain });
        expect(res.status).toBe(422);
        expect(res.text).toContain('Enter a domain name such as');
      }
    });
  });

  describe('Add to my DevHub', () => {
    it('creates a contact prefilled from the profile in the viewer’s own account, then opens it', async () => {
      await userWithProfile(t, 'addable', {
        displayName: 'Addable Person',
        headline: 'Staff engineer',
        location: 'Berlin',
        website: 'https://addable.example',
        bio: 'Likes databases.',
        'links[github]': 'Addable-GH',
        'links[twitter]': '@addable',
        'links[linkedin]': 'https://www.linkedin.com/in/addable',
      });
      // anonymous visitors see no button
      expect((await t.agent().get('/@addable').expect(200)).text).not.toContain('Add to my DevHub');

      const viewer = t.agent();
      await signUp(viewer, { name: 'Viewer' });
      const page = await viewer.get('/@addable').expect(200);
      expect(page.text).toContain('Add to my DevHub');
      expect(page.text).toContain('action="/@addable/contact"');
      // a forged form changes nothing
      await viewer.post('/@addable/contact').type('form').send({}).expect(403);

      const created = await viewer.post('/@addable/contact').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
      const location = created.headers.location as string;
      expect(location).toMatch(/^\/contacts\/[0-9a-f-]{36}$/);
      const [viewerRow] = await t.dataSource.query(`SELECT id FROM users WHERE name = 'Viewer'`);
      const contacts = await t.dataSource.query(`SELECT id, user_id, name, github_username, twitter, linkedin, website, location, title, notes FROM contacts WHERE user_id = '${viewerRow.id}'`);
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatchObject({
        id: location.split('/').pop(),
        name: 'Addable Person',
        github_username: 'addable-gh',
        twitter: 'addable',
        linkedin: 'https://www.linkedin.com/in/addable',
        website: 'https://addable.example/',
        location: 'Berlin',
        title: 'Staff engineer',
      });
      expect(contacts[0].notes).toContain(`${BASE}/@addable`);
      const contactPage = await viewer.get(location).expect(200);
      expect(contactPage.text).toContain('Addable Person is now in your contacts.');

      // the second time it opens the existing contact instead of creating another
      const again = await viewer.get('/@addable').expect(200);
      expect(again.text).toContain(`href="${location}"`);
      expect(again.text).toContain('Open in my DevHub');
      // a second POST (another tab, a double click) opens it too
      const token = csrfFrom((await viewer.get('/settings/account').expect(200)).text);
      const twice = await viewer.post('/@addable/contact').type('form').send({ _csrf: token }).expect(303);
      expect(twice.headers.location).toBe(location);
      const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM contacts WHERE user_id = '${viewerRow.id}'`);
      expect(Number(n)).toBe(1);
    });

    it('shows the owner an edit link instead', async () => {
      const owner = await userWithProfile(t, 'self-viewer');
      const page = await owner.get('/@self-viewer').expect(200);
      expect(page.text).toContain('Edit profile');
      expect(page.text).not.toContain('Add to my DevHub');
      const token = csrfFrom((await owner.get('/settings/profile').expect(200)).text);
      const res = await owner.post('/@self-viewer/contact').type('form').send({ _csrf: token }).expect(303);
      expect(res.headers.location).toBe('/settings/profile');
    });
  });
});
