import { BrowserContext, Page } from 'playwright-core';
import { artifact, expectNoProblems, launchChromium, PageProblems, stopBrowserWorld, watchedPage, BrowserWorld } from '../support/browser';
import { sql } from '../support/crm';
import { startTestApp } from '../support/test-app';

/**
 * The everyday flows in Chromium: a new account's checklist ticking itself off, follow-ups done and
 * snoozed from the keyboard, and post/redirect/get for API keys and webhooks (a reload creates nothing).
 */
describe('everyday flows in a real browser', () => {
  let world: BrowserWorld;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    // the webhook receiver address is on loopback
    world = { t: await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' }), browser: await launchChromium() };
    context = await world.browser.newContext({ viewport: { width: 1366, height: 900 } });
    ({ page, problems } = await watchedPage(context, { failOnDialog: true }));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await stopBrowserWorld(world);
  });

  const base = () => world.t.baseUrl;
  // no DOM types in this project: the element is typed by the one property read
  const focused = (l: ReturnType<Page['locator']>) => l.evaluate((el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement);
  const step = (key: string) => page.locator(`[data-checklist] [data-step="${key}"]`).getAttribute('data-done');

  it('ticks off the setup checklist of a new account as each step is done', async () => {
    await page.goto(`${base()}/signup`);
    await page.getByLabel('Name').fill('Nia New');
    await page.getByLabel('E-mail').fill('nia@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await Promise.all([page.waitForURL(`${base()}/dashboard`), page.getByRole('button', { name: 'Create account' }).click()]);
    // the sign-up form recorded the browser's time zone (Chromium here runs in the machine's zone)
    const [user] = await sql<{ timezone: string; timezone_chosen_at: unknown }>(world.t, 'SELECT timezone, timezone_chosen_at FROM users');
    expect(user.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(user.timezone_chosen_at).not.toBeNull();
    expect(await step('timezone')).toBe('true');
    expect(await step('contacts')).toBe('false');
    expect(await step('api-key')).toBe('false');
    expect(await step('profile')).toBe('false');
    expect(await step('github')).toBe('false');
    // the first step links the import page too
    expect(await page.locator('[data-step="contacts"] a[href="/settings/account/import"]').count()).toBe(1);

    await page.goto(`${base()}/contacts/new`);
    await page.getByLabel('Name', { exact: true }).fill('Kim Keyboard');
    await Promise.all([page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Add contact' }).click()]);
    await page.goto(`${base()}/dashboard`);
    expect(await step('contacts')).toBe('true');

    await page.goto(`${base()}/settings/api-keys`);
    await page.getByLabel('Name').fill('laptop');
    await Promise.all([page.waitForURL(`${base()}/settings/api-keys`), page.getByRole('button', { name: 'Create key' }).click()]);
    await page.goto(`${base()}/settings/profile`);
    await page.getByLabel('Username').fill('nia-new');
    await page.getByLabel(/Display name/).fill('Nia New');
    await page.getByLabel('Public profile', { exact: true }).check();
    await Promise.all([page.waitForURL(/\/settings\/profile/), page.getByRole('button', { name: /Save profile|Publish profile/ }).click()]);
    await page.goto(`${base()}/dashboard`);
    expect(await step('api-key')).toBe('true');
    expect(await step('profile')).toBe('true');
    expect(await page.locator('[data-checklist] .card-title').textContent()).toContain('4 of 5 done');
    await page.screenshot({ path: artifact('everyday-checklist.png'), fullPage: true });
    expectNoProblems(problems);
  }, 90_000);

  it('marks a follow-up done and snoozes another with the keyboard alone', async () => {
    const [contact] = await sql<{ id: string }>(world.t, 'SELECT id FROM contacts');
    await page.goto(`${base()}/contacts/${contact.id}`);
    await page.getByLabel('Follow up on').fill('2020-03-01');
    await page.getByLabel('Note', { exact: true }).fill('first thing');
    await Promise.all([page.waitForURL(`${base()}/contacts/${contact.id}`), page.getByRole('button', { name: 'Schedule follow-up' }).click()]);
    // a quick preset schedules without typing a date
    await page.getByLabel('Note', { exact: true }).fill('second thing');
    await Promise.all([page.waitForURL(`${base()}/contacts/${contact.id}`), page.getByRole('button', { name: 'Tomorrow' }).first().click()]);

    await page.goto(`${base()}/follow-ups`);
    // Tab from the top of the page to the first row's Done, then Enter
    const done = page.locator('section.fu-overdue .todo', { hasText: 'first thing' }).getByRole('button', { name: /^Done/ });
    for (let i = 0; i < 60 && !(await focused(done)); i++) await page.keyboard.press('Tab');
    expect(await focused(done)).toBe(true);
    await Promise.all([page.waitForURL(`${base()}/follow-ups`), page.keyboard.press('Enter')]);
    expect(await page.locator('.flash-success').textContent()).toContain('Follow-up marked as done.');
    expect(await page.locator('.todo', { hasText: 'first thing' }).count()).toBe(0);

    // the row's menu: Tab to it, open with Enter, Tab to "Next week", Enter
    const menu = page.locator('.todo', { hasText: 'second thing' }).locator('details.row-menu > summary');
    for (let i = 0; i < 60 && !(await focused(menu)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const nextWeek = page.locator('.todo', { hasText: 'second thing' }).getByRole('button', { name: 'Next week' });
    for (let i = 0; i < 10 && !(await focused(nextWeek)); i++) await page.keyboard.press('Tab');
    // Escape closes the menu and gives focus back to its button
    await page.keyboard.press('Escape');
    expect(await focused(menu)).toBe(true);
    await page.keyboard.press('Enter');
    for (let i = 0; i < 10 && !(await focused(nextWeek)); i++) await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(`${base()}/follow-ups`), page.keyboard.press('Enter')]);
    expect(await page.locator('.flash-success').textContent()).toContain('Snoozed until');
    const [row] = await sql<{ due_at: string | Date }>(world.t, `SELECT due_at FROM follow_ups WHERE note = 'second thing'`);
    expect(new Date(row.due_at).getTime() - Date.now()).toBeGreaterThan(5 * 86400e3);
    expectNoProblems(problems);
  }, 90_000);

  it('creates one API key and one webhook endpoint even when the page is reloaded', async () => {
    const count = async (table: string) => Number((await sql<{ n: number | string }>(world.t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    const keysBefore = await count('api_keys');
    await page.goto(`${base()}/settings/api-keys`);
    await page.getByLabel('Name').fill('reload test');
    await Promise.all([page.waitForURL(`${base()}/settings/api-keys`), page.getByRole('button', { name: 'Create key' }).click()]);
    const key = await page.locator('#new-key').textContent();
    expect(key).toMatch(/^dh_/);
    expect(await page.getByRole('button', { name: 'Copy key' }).isVisible()).toBe(true);
    await page.reload();
    expect(await count('api_keys')).toBe(keysBefore + 1);
    // shown once: the reload no longer has it
    expect(await page.locator('#new-key').count()).toBe(0);

    const hooksBefore = await count('webhook_endpoints');
    await page.goto(`${base()}/settings/webhooks`);
    await page.getByLabel('URL').fill('http://127.0.0.1:9/devhub');
    await Promise.all([page.waitForURL(/\/settings\/webhooks\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Add endpoint' }).click()]);
    expect(await page.locator('#webhook-secret').textContent()).toMatch(/^whsec_/);
    await page.reload();
    expect(await count('webhook_endpoints')).toBe(hooksBefore + 1);
    expect(await page.locator('#webhook-secret').count()).toBe(0);
    expectNoProblems(problems);
  }, 60_000);
});
