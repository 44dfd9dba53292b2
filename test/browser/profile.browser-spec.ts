import { readFileSync } from 'node:fs';
import { Browser } from 'playwright-core';
import { ViewRecorder } from '../../src/analytics/view-recorder.service';
import { artifact, expectNoProblems, startBrowserWorld, stopBrowserWorld, watchedPage } from '../support/browser';
import { TestApp } from '../support/test-app';

// a real phone's browser (headless Chromium says "HeadlessChrome", which the view counter treats as a bot)
const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('public profile in a real browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, browser } = await startBrowserWorld());
  }, 60_000);
  afterAll(() => stopBrowserWorld({ t, browser }));

  it('sets up a profile with a live preview, shows it on a phone, downloads the vCard, and counts the view', async () => {
    const desk = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, userAgent: IPHONE_UA, acceptDownloads: true });
    try {
      const { page, problems } = await watchedPage(desk);
      await page.goto(`${t.baseUrl}/signup`);
      await page.getByLabel('Name').fill('Ada Lovelace');
      await page.getByLabel('E-mail').fill('ada@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard`), page.getByRole('button', { name: 'Create account' }).click()]);

      await page.locator('details.user-menu > summary').click();
      await Promise.all([page.waitForURL(`${t.baseUrl}/settings/profile`), page.getByRole('link', { name: 'Public profile', exact: true }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Public profile');
      await page.getByLabel('Username').fill('ada-lovelace');
      await page.getByLabel('Headline').fill('Analyst of engines');
      await page.getByLabel('Location').fill('London');
      await page.getByLabel('Website').fill('https://ada.example');
      await page.getByLabel('Bio format').selectOption('markdown');
      await page.getByLabel('Bio', { exact: true }).fill('I write **notes** on the Analytical Engine.\n- programs\n- poetry');
      await page.getByLabel('GitHub').fill('ada-lovelace');

      // the preview follows the typing, without a page load
      const preview = page.locator('#profile-preview');
      await preview.locator('.profile-headline', { hasText: 'Analyst of engines' }).waitFor({ timeout: 5000 });
      await preview.locator('.profile-bio strong', { hasText: 'notes' }).waitFor({ timeout: 5000 });
      expect(await preview.locator('.profile-handle').textContent()).toBe('@ada-lovelace');
      expect(await preview.locator('.profile-bio li').allTextContents()).toEqual(['programs', 'poetry']);

      await Promise.all([page.waitForURL(`${t.baseUrl}/settings/profile`), page.getByRole('button', { name: 'Publish profile' }).click()]);
      expect(await page.locator('.flash-success').textContent()).toContain('Your profile is ready at /@ada-lovelace.');
      expect(await page.locator('.profile-share-qr svg').count()).toBe(1);
      await page.screenshot({ path: artifact('profile-editor.png'), fullPage: true });
      expectNoProblems(problems);

      // a visitor on a phone
      const visitor = await watchedPage(phone);
      const mobile = visitor.page;
      await mobile.goto(`${t.baseUrl}/@ada-lovelace`);
      expect(await mobile.getByRole('heading', { level: 1 }).textContent()).toBe('Ada Lovelace');
      expect(await mobile.title()).toBe('Ada Lovelace (@ada-lovelace) · DevHub');
      expect(await mobile.locator('.profile-headline').textContent()).toBe('Analyst of engines');
      expect(await mobile.locator('.qr-svg').isVisible()).toBe(true);
      expect(await mobile.getByRole('link', { name: /GitHub/ }).getAttribute('href')).toBe('https://github.com/ada-lovelace');
      const widths = await mobile.evaluate<{ scroll: number; client: number }>(
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
      );
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      const save = mobile.getByRole('link', { name: 'Save contact' });
      const box = await save.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(32); // a comfortable tap target
      await mobile.screenshot({ path: artifact('profile-mobile.png'), fullPage: true });

      const [download] = await Promise.all([mobile.waitForEvent('download'), save.click()]);
      expect(download.suggestedFilename()).toBe('ada-lovelace.vcf');
      const file = artifact('ada-lovelace.vcf');
      await download.saveAs(file);
      const vcard = readFileSync(file, 'utf8');
      expect(vcard).toMatch(/^BEGIN:VCARD\r\nVERSION:4\.0\r\n/);
      expect(vcard).toContain('\r\nFN:Ada Lovelace\r\n');
      expect(vcard).toContain('\r\nURL;TYPE=home:http://127.0.0.1:3999/@ada-lovelace\r\n');
      expect(vcard.trimEnd().endsWith('END:VCARD')).toBe(true);
      expectNoProblems(visitor.problems);

      // the owner watches the view come in
      await t.app.get(ViewRecorder).flush();
      await page.goto(`${t.baseUrl}/analytics`);
      expect(await page.locator('[data-stat="views"]').textContent()).toBe('1');
      expect(await page.locator('[data-stat="all-time"]').textContent()).toBe('1');
      expect(await page.locator('svg.chart').isVisible()).toBe(true);
      await page.screenshot({ path: artifact('profile-analytics.png'), fullPage: true });
      expectNoProblems(problems);
    } finally {
      await desk.close();
      await phone.close();
    }
  }, 90_000);
});
