import { Browser } from 'playwright-core';
import { artifact, expectNoProblems, startBrowserWorld, stopBrowserWorld, watchedPage } from '../support/browser';
import { TestApp } from '../support/test-app';

describe('accounts in a real browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, browser } = await startBrowserWorld());
  }, 60_000);
  afterAll(() => stopBrowserWorld({ t, browser }));

  it('signs up from the home page, sees the dashboard, logs out from the account menu', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const { page, problems } = await watchedPage(context);

      // an empty instance sends the first visitor to sign-up
      await page.goto(`${t.baseUrl}/`);
      expect(new URL(page.url()).pathname).toBe('/signup');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Create your account');

      await page.getByLabel('Name').fill('Ada Lovelace');
      await page.getByLabel('E-mail').fill('ada@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard`), page.getByRole('button', { name: 'Create account' }).click()]);

      const heading = page.getByRole('heading', { level: 1 });
      expect(await heading.textContent()).toMatch(/^Good (morning|afternoon|evening), Ada$/);
      const flash = page.locator('.flash-success');
      expect(await flash.isVisible()).toBe(true);
      expect(await flash.textContent()).toContain('Welcome to DevHub, Ada Lovelace!');
      await page.screenshot({ path: artifact('dashboard.png'), fullPage: true });

      // the log-out button lives in the closed account menu until it is opened
      const logOut = page.getByRole('button', { name: 'Log out' });
      expect(await logOut.isVisible()).toBe(false);
      await page.locator('details.user-menu > summary').click();
      expect(await logOut.isVisible()).toBe(true);
      expect(await page.locator('.user-menu .menu-meta').textContent()).toContain('ada@example.com');
      await Promise.all([page.waitForURL(`${t.baseUrl}/login`), logOut.click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in to DevHub');

      // the session is gone: the dashboard sends the visitor back to log in
      await page.goto(`${t.baseUrl}/dashboard`);
      const after = new URL(page.url());
      expect(after.pathname).toBe('/login');
      expect(after.searchParams.get('next')).toBe('/dashboard');

      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('renders the sign-up page on a phone-sized screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const { page, problems } = await watchedPage(context);
      await page.goto(`${t.baseUrl}/signup`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Create your account');

      // nothing sticks out sideways at 390 px
      const widths = await page.evaluate<{ scroll: number; client: number }>(
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
      );
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(await page.getByRole('button', { name: 'Create account' }).isVisible()).toBe(true);

      await page.screenshot({ path: artifact('signup-mobile.png'), fullPage: true });
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  }, 60_000);
});
