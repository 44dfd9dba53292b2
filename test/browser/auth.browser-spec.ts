import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

// Debian's Chromium (apt-get install chromium); the flags keep it off the closed network.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const ARTIFACTS = join(__dirname, '..', 'artifacts');

interface PageProblems {
  console: string[];
  pageErrors: string[];
  csp: string[];
}

/**
 * A page that records console errors, uncaught exceptions and CSP violations. Violations are
 * caught by a `securitypolicyviolation` listener reporting through a CDP binding, so the
 * page's own CSP does not block the reporting, and they are also logged as console errors.
 */
async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: PageProblems }> {
  const problems: PageProblems = { console: [], pageErrors: [], csp: [] };
  await context.exposeBinding('__reportCspViolation', (_source, v: string) => {
    problems.csp.push(v);
  });
  // in-page code is a string: the project's tsconfig has no DOM types, and should not need them
  await context.addInitScript(`
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' on ' + e.documentURI);
    });
  `);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.pageErrors.push(`${page.url()}: ${err.message}`));
  return { page, problems };
}

function expectNoProblems(problems: PageProblems) {
  expect(problems).toEqual({ console: [], pageErrors: [], csp: [] });
}

describe('accounts in a real browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.drop();
  });

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
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

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

      await page.screenshot({ path: join(ARTIFACTS, 'signup-mobile.png'), fullPage: true });
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  }, 60_000);
});
