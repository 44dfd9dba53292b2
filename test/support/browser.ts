import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from './test-app';

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

/** Where browser tests leave screenshots and downloads (test/artifacts). */
export const ARTIFACTS = join(__dirname, '..', 'artifacts');

/** The path of a file in the artifacts folder. */
export function artifact(name: string): string {
  return join(ARTIFACTS, name);
}

/** Makes sure the artifacts folder exists and starts Debian's Chromium with the flags above. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface PageProblems {
  console: string[];
  pageErrors: string[];
  csp: string[];
}

export interface WatchOptions {
  /** Record any dialog as a page error and dismiss it: one nobody answers would hang the test. */
  failOnDialog?: boolean;
}

/**
 * A page that records console errors, uncaught exceptions and CSP violations. Violations are
 * caught by a `securitypolicyviolation` listener reporting through a CDP binding, so the
 * page's own CSP does not block the reporting, and they are also logged as console errors.
 */
export async function watchedPage(context: BrowserContext, options: WatchOptions = {}): Promise<{ page: Page; problems: PageProblems }> {
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
  if (options.failOnDialog) {
    page.on('dialog', (d) => {
      problems.pageErrors.push(`unexpected dialog: ${d.message()}`);
      void d.dismiss();
    });
  }
  return { page, problems };
}

export function expectNoProblems(problems: PageProblems): void {
  expect(problems).toEqual({ console: [], pageErrors: [], csp: [] });
}

/** The app and a browser, as every browser test starts (Chromium launch is slow: give beforeAll 60 s). */
export interface BrowserWorld {
  t: TestApp;
  browser: Browser;
}

export async function startBrowserWorld(): Promise<BrowserWorld> {
  const t = await startTestApp();
  return { t, browser: await launchChromium() };
}

export async function stopBrowserWorld({ t, browser }: Partial<BrowserWorld>): Promise<void> {
  await browser?.close();
  await t?.drop();
}
