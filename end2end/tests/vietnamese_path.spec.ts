import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, password, query } from './support';

// Issue 26: "a Vietnamese analyst uses UT360 in Vietnamese from sign-in to export
// without meeting an English word". A marketing member's path through the pages, in a
// Vietnamese browser: no common English word of the UI, nor a stored code (LOW,
// Balanced) shown as stored.
const ENGLISH = [
  'Subscribers', 'Subscriber', 'Export', 'Search', 'Next', 'Previous', 'Loading', 'No', 'None', 'Risk', 'Priority',
  'Balanced', 'Heavy Data User', 'Voice/SMS User', 'LOW', 'MEDIUM', 'HIGH', 'Low', 'Medium', 'High', 'PRE', 'POS',
  'Prepaid', 'Postpaid', 'Growing', 'Stable', 'Declining', 'Overview', 'Dashboards', 'Campaigns', 'Apply', 'Clear',
  'Page', 'Sign in', 'Sign out', 'Service', 'Advance', 'Total', 'Error', 'not found', 'Not allowed', 'Look up',
  'Cluster', 'Trend', 'Recommended', 'Average', 'ratio', 'risk', 'Team leader', 'Collaborator',
];

/** Names people gave (campaigns, suppression lists: other specs save English ones): their words, not the UI's. */
async function namesPeopleGave(): Promise<string[]> {
  const rows = await query<{ name: string }>('SELECT name FROM campaigns UNION SELECT name FROM suppression_lists');
  return rows.map((row) => row.name).sort((a, b) => b.length - a.length);
}

/** The English words of `ENGLISH` the page's text shows, as whole words. */
async function englishOn(page: Page): Promise<string[]> {
  // A campaign rule shown as code (an insight's, to copy into the builder) is JSON, not words.
  let text = await page.evaluate(() => {
    let shown = document.body.innerText;
    for (const code of document.querySelectorAll<HTMLElement>('pre, code')) shown = shown.replace(code.innerText, '');
    return shown;
  });
  for (const name of await namesPeopleGave()) text = text.split(name).join(' ');
  return ENGLISH.filter((word) => new RegExp(`(^|[^\\p{L}\\p{N}])${word.replace(/[/]/g, '\\/')}($|[^\\p{L}\\p{N}])`, 'u').test(text));
}

async function expectVietnamese(page: Page, where: string) {
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  expect(await englishOn(page), `${where}: English words in a Vietnamese page`).toEqual([]);
}

async function vietnameseContext(browser: Browser) {
  return browser.newContext({ locale: 'vi-VN', storageState: { cookies: [], origins: [] } });
}

async function signInAs(page: Page, role: string) {
  await page.goto('/sign-in');
  await expectVietnamese(page, 'sign-in');
  await page.locator('#email').fill(`e2e-${role}@ut360.test`);
  await page.locator('#password').fill(password);
  await page.locator('form.sign-in-form button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

test('a marketing member walks sign-in to export in Vietnamese without an English word', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await vietnameseContext(browser);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signInAs(page, 'marketing');

  const visit = async (path: string, ready?: () => Promise<void>) => {
    await page.goto(path);
    await hydrated(page);
    await expect(page.locator('.loading')).toHaveCount(0, { timeout: 20_000 });
    if (ready) await ready();
    await expectVietnamese(page, path);
  };
  await visit('/');
  await visit('/subscribers');
  await visit('/subscribers?risk=MEDIUM&subscriber_type=PRE&sort=advance&order=asc');
  await expect(page.locator('td[data-risk="MEDIUM"]').first()).toHaveText('Trung bình');
  await visit('/subscribers?risk=MEDIUM&page=2');
  // Nothing matches: the empty state.
  await visit('/subscribers?cluster=999');

  // Customer360 of a subscriber with risk factors (numbers written as Vietnamese does).
  const [risky] = await query<{ isdn: string }>(
    `SELECT r.isdn FROM recommendations r JOIN subscriber_360_profiles p USING (isdn)
     WHERE r.bad_debt_risk = 'MEDIUM' AND r.arpu_trend = 'Giảm' ORDER BY r.isdn LIMIT 1`);
  await visit(`/subscribers/${encodeURIComponent(risky.isdn)}`, async () => {
    await expect(page.getByTestId('risk')).toHaveText('Rủi ro Trung bình');
  });
  const factors = await page.locator('.facts ul.items li').allInnerTexts();
  expect(factors.join('\n')).toMatch(/Điểm rủi ro tổng hợp cao \(\d+,\d\d\)/);
  expect(factors.join('\n')).not.toMatch(/\d\.\d\d\)/);

  await visit('/dashboards');
  await visit('/insights');
  await visit('/campaigns', async () => {
    await expect(page.getByRole('group', { name: 'Rủi ro' }).getByLabel('Thấp', { exact: true })).toBeVisible();
  });

  const isdns = (await query<{ isdn: string }>('SELECT isdn FROM recommendations ORDER BY isdn LIMIT 3')).map((r) => r.isdn);
  await visit('/bulk');
  await hydrated(page);
  await page.locator('textarea').first().evaluate((area: HTMLTextAreaElement, value) => {
    area.value = value;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, [...isdns, 'UNKNOWNAAAAAAAAAAAAAAA=='].join('\n'));
  await page.locator('main form button[type="submit"]').first().click();
  await expect(page.locator('[data-testid="found-table"] tbody tr')).toHaveCount(3, { timeout: 20_000 });
  await expectVietnamese(page, '/bulk with results');

  // The CSV export keeps the seed's column names and stored values (machines read it; the
  // workbook names its columns for people, tests/it/campaigns.rs).
  const exported = await page.request.get('/subscribers/export.csv?risk=MEDIUM&columns=isdn,bad_debt_risk');
  expect(exported.status()).toBe(200);
  const lines = (await exported.text()).split('\n');
  expect(lines[0].replace(/^\ufeff/, '').trim()).toBe('isdn,bad_debt_risk');
  expect(lines[1]).toContain('MEDIUM');

  // A page the member may not open: refused in Vietnamese.
  const refused = await page.goto('/transactions');
  expect(refused?.status()).toBe(403);
  await expectVietnamese(page, 'the refusal of /transactions');
  expect(errors).toEqual([]);
  await context.close();
});

test('an analyst opening campaigns is refused in Vietnamese, with the same status', async ({ browser }) => {
  const context = await vietnameseContext(browser);
  const page = await context.newPage();
  await signInAs(page, 'analyst');
  const response = await page.goto('/campaigns');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Không được phép');
  await expect(page.getByRole('alert')).toContainText('bạn cần vai trò tiếp thị');
  await expectVietnamese(page, 'the refusal of /campaigns');
  await context.close();
});
