import { Browser, BrowserContext, Page } from 'playwright-core';
import { artifact, expectNoProblems, PageProblems, startBrowserWorld, stopBrowserWorld, watchedPage } from '../support/browser';
import { TestApp } from '../support/test-app';

/** Nothing sticks out sideways. */
async function expectNoHorizontalScroll(page: Page) {
  const widths = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
}

const statValue = (page: Page, label: string) =>
  page
    .locator('.stat', { has: page.locator('.stat-label', { hasText: new RegExp(`^${label}$`) }) })
    .locator('.stat-value')
    .textContent();

describe('the CRM in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  let contactUrl: string;

  beforeAll(async () => {
    ({ t, browser } = await startBrowserWorld());
    desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ({ page, problems } = await watchedPage(desktop, { failOnDialog: true }));
  }, 60_000);

  afterAll(async () => {
    await desktop?.close();
    await stopBrowserWorld({ t, browser });
  });

  it('signs up and adds two contacts through the form', async () => {
    await page.goto(`${t.baseUrl}/signup`);
    await page.getByLabel('Name').fill('Casey Browser');
    await page.getByLabel('E-mail').fill('casey@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await Promise.all([page.waitForURL(`${t.baseUrl}/dashboard`), page.getByRole('button', { name: 'Create account' }).click()]);

    // "n" is the new-contact shortcut; the button on the dashboard goes to the same form
    await Promise.all([page.waitForURL(`${t.baseUrl}/contacts/new`), page.getByRole('link', { name: 'New contact' }).first().click()]);
    await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
    await page.getByLabel('Company').fill('Navy Labs');
    await Promise.all([page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Add contact' }).click()]);
    expect(await page.locator('.flash-success').textContent()).toContain('Grace Hopper has been added.');

    await page.goto(`${t.baseUrl}/contacts/new`);
    await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await page.getByLabel('Company').fill('Analytical Engines');
    await page.getByLabel('Title').fill('Principal Engineer');
    await page.getByLabel('Location').fill('London, UK');
    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByLabel('GitHub username').fill('https://github.com/AdaL');
    await page.getByLabel('Website').fill('https://ada.example');
    await page.getByLabel(/^VIP/).check();
    await page.getByLabel('Keep in touch every … days').fill('30');
    await page.getByLabel('Private notes').fill('Met at the Difference Engine meetup.\nPrefers e-mail.');
    await Promise.all([page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Add contact' }).click()]);
    contactUrl = page.url();

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Ada Lovelace');
    expect(await page.locator('.contact-header .badge-vip').isVisible()).toBe(true);
    expect(await page.locator('.contact-facts').textContent()).toContain('@adal');
    // the cadence already scheduled its follow-up
    expect(await page.locator('.fu-list').textContent()).toContain('Keep in touch (every 30 days)');
    expectNoProblems(problems);
  }, 60_000);

  it('logs an interaction, tags the contact and schedules a follow-up on its page', async () => {
    await page.goto(contactUrl);
    expect(await page.locator('.contact-facts').textContent()).toMatch(/Last contact\s+never/);

    await page.getByLabel('Type').selectOption('call');
    await page.getByLabel('What did you talk about?').fill('Call about the Rust rewrite of the engine; she wants an intro to the compiler team.');
    await Promise.all([page.waitForURL(contactUrl), page.getByRole('button', { name: 'Log interaction' }).click()]);
    expect(await page.locator('.flash-success').textContent()).toContain('Interaction logged.');
    const timeline = page.locator('.timeline-item');
    expect(await timeline.count()).toBe(1);
    expect(await timeline.first().locator('.timeline-type').textContent()).toBe('call');
    expect(await timeline.first().textContent()).toContain('Rust rewrite of the engine');
    expect(await page.locator('.contact-facts').textContent()).not.toMatch(/Last contact\s+never/);

    await page.getByLabel('Add a tag').fill('rust');
    await Promise.all([page.waitForURL(contactUrl), page.locator('form.inline-form').getByRole('button', { name: 'Add' }).click()]);
    expect(await page.locator('.flash-success').textContent()).toContain('Tagged "rust".');
    expect(await page.locator('.tag-list a').allTextContents()).toEqual(['rust']);

    const today = new Date().toISOString().slice(0, 10); // the account's time zone is UTC
    await page.getByLabel('Follow up on').fill(today);
    await page.getByLabel('Note', { exact: true }).fill('Send the compiler team intro');
    await Promise.all([page.waitForURL(contactUrl), page.getByRole('button', { name: 'Schedule follow-up' }).click()]);
    expect(await page.locator('.flash-success').textContent()).toContain('Follow-up scheduled.');
    const followUps = page.locator('.fu-list > li');
    expect(await followUps.count()).toBe(2);
    expect(await page.locator('.fu-list').textContent()).toContain('Send the compiler team intro');

    await page.screenshot({ path: artifact('crm-contact.png'), fullPage: true });
    expectNoProblems(problems);
  }, 60_000);

  it('filters the contact list by the tag', async () => {
    await page.goto(`${t.baseUrl}/contacts`);
    expect(await page.locator('.page-header .muted').first().textContent()).toContain('2 in all');
    expect(await page.locator('tbody tr').count()).toBe(2);

    const chip = page.locator('nav.chips a.chip', { hasText: 'rust' });
    expect((await chip.textContent())?.trim()).toBe('rust');
    await Promise.all([page.waitForURL(`${t.baseUrl}/contacts?tag=rust`), chip.click()]);
    expect(await page.locator('.page-header .muted').first().textContent()).toContain('1 matching');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Ada Lovelace');
    expect(await rows.first().textContent()).toContain('Analytical Engines');
    expect(await page.locator('a.chip-active').getAttribute('aria-current')).toBe('true');
    await page.screenshot({ path: artifact('crm-contacts-filtered.png'), fullPage: true });

    // the search box finds her by the words of the tag, too
    await page.goto(`${t.baseUrl}/contacts`);
    await page.getByLabel('Search contacts', { exact: true }).fill('rus');
    await Promise.all([page.waitForURL(/\/contacts\?q=rus/), page.getByRole('button', { name: 'Search' }).click()]);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expectNoProblems(problems);
  }, 60_000);

  it('completes the follow-up and the dashboard counts change', async () => {
    await page.goto(`${t.baseUrl}/dashboard`);
    const openBefore = Number(await statValue(page, 'open follow-ups'));
    expect(openBefore).toBe(2); // today's and the cadence's
    expect(await statValue(page, 'need you today')).toBe('1');
    expect(await page.locator('#today-h + .today-list').textContent()).toContain('Ada Lovelace');

    await page.goto(`${t.baseUrl}/follow-ups`);
    const todaySection = page.locator('section.fu-today');
    expect(await todaySection.locator('.count-pill').textContent()).toBe('1');
    expect(await page.locator('section.fu-upcoming .todo').first().textContent()).toContain('keep in touch');
    await page.screenshot({ path: artifact('crm-follow-ups.png'), fullPage: true });

    const row = todaySection.locator('.todo', { hasText: 'Send the compiler team intro' });
    await Promise.all([page.waitForURL(`${t.baseUrl}/follow-ups`), row.getByRole('button', { name: 'Done' }).click()]);
    expect(await page.locator('.flash-success').textContent()).toContain('Follow-up marked as done.');
    expect(await page.locator('section.fu-today .count-pill').textContent()).toBe('0');
    await page.goto(`${t.baseUrl}/follow-ups?show=done`);
    expect(await page.locator('section.fu-done .todo').first().textContent()).toContain('Send the compiler team intro');

    await page.goto(`${t.baseUrl}/dashboard`);
    expect(Number(await statValue(page, 'open follow-ups'))).toBe(openBefore - 1);
    expect(await statValue(page, 'need you today')).toBe('0');
    expect(await page.locator('section[aria-labelledby="today-h"]').textContent()).toContain('You are all caught up.');
    expect(await statValue(page, 'contacts')).toBe('2');
    expect(await page.locator('section[aria-labelledby="recent-h"] .mini-list').textContent()).toContain('Ada Lovelace');
    await page.screenshot({ path: artifact('crm-dashboard.png'), fullPage: true });
    await expectNoHorizontalScroll(page);
    expectNoProblems(problems);
  }, 60_000);

  it('shows the contact page on a phone-sized screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await desktop.storageState() });
    try {
      const { page: mobile, problems: mobileProblems } = await watchedPage(phone, { failOnDialog: true });
      await mobile.goto(contactUrl);
      expect(await mobile.getByRole('heading', { level: 1 }).textContent()).toContain('Ada Lovelace');
      await expectNoHorizontalScroll(mobile);
      expect(await mobile.getByRole('button', { name: 'Log interaction' }).isVisible()).toBe(true);
      expect(await mobile.locator('.timeline-item').count()).toBe(1);
      await mobile.screenshot({ path: artifact('crm-contact-mobile.png'), fullPage: true });
      expectNoProblems(mobileProblems);
    } finally {
      await phone.close();
    }
  }, 60_000);
});
