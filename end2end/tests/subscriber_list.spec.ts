import { test, expect, Page } from '@playwright/test';
import { expectAccessible, grouped, query } from './support';

const isdnsOn = (page: Page) =>
  page.locator('[data-testid="subscriber-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-isdn')));

test('a filtered list pages forward and back by priority and survives a reload', async ({ page }) => {
  const [{ n }] = await query<{ n: number }>(
    "SELECT COUNT(*)::int AS n FROM recommendations WHERE service_type = 'MBFG' AND bad_debt_risk = 'MEDIUM'");
  const top = await query<{ isdn: string }>(
    `SELECT isdn FROM recommendations WHERE service_type = 'MBFG' AND bad_debt_risk = 'MEDIUM'
     ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC LIMIT 200`);

  // Filters are chosen in the form and land in the URL.
  await page.goto('/subscribers');
  await page.getByLabel('Service').selectOption('MBFG');
  await page.getByLabel('Risk').selectOption('MEDIUM');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/service=MBFG/);
  await expect(page).toHaveURL(/risk=MEDIUM/);
  await expect(page.getByTestId('list-count')).toContainText(`${grouped(n)} subscribers match`);
  expect(await isdnsOn(page)).toEqual(top.slice(0, 100).map((r) => r.isdn));
  await page.screenshot({ path: 'test-results/subscriber-list.png', fullPage: true });
  await expectAccessible(page);

  await page.getByTestId('next-page').click();
  await expect(page).toHaveURL(/after=/);
  await expect.poll(() => isdnsOn(page)).toEqual(top.slice(100, 200).map((r) => r.isdn));
  const secondPage = page.url();

  await page.reload();
  await expect(page.getByLabel('Service')).toHaveValue('MBFG');
  expect(await isdnsOn(page)).toEqual(top.slice(100, 200).map((r) => r.isdn));
  expect(page.url()).toBe(secondPage);

  await page.getByTestId('previous-page').click();
  await expect(page).toHaveURL(/before=/);
  await expect.poll(() => isdnsOn(page)).toEqual(top.slice(0, 100).map((r) => r.isdn));
  await expect(page.getByTestId('previous-page')).toHaveCount(0);

  await page.goBack();
  await expect.poll(() => isdnsOn(page)).toEqual(top.slice(100, 200).map((r) => r.isdn));
});

test('a row opens Customer360 over the list; Escape and the close button return to it as it was', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const top = await query<{ isdn: string; arpu: number }>(
    `SELECT r.isdn, ROUND(r.arpu_avg_6m)::int AS arpu FROM recommendations r
     WHERE bad_debt_risk = 'MEDIUM' AND subscriber_type = 'PRE'
     ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC LIMIT 2`);
  await page.goto('/subscribers?risk=MEDIUM&subscriber_type=PRE');
  const listUrl = page.url();
  const rows = page.locator('[data-testid="subscriber-table"] tbody tr');
  await expect(rows.first()).toHaveAttribute('data-isdn', top[0].isdn);

  // A click anywhere on the row, not only on its ISDN (the mouse, since Playwright's
  // click refuses a cell covered by the row's link).
  const cell = (await rows.first().locator('td').nth(6).boundingBox())!;
  await page.mouse.click(cell.x + cell.width / 2, cell.y + cell.height / 2);
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(page).toHaveURL(/open=/);
  await expect(dialog.getByRole('heading', { level: 2 }).first()).toContainText(top[0].isdn);
  await expect(dialog.getByTestId('monthly-arpu-table')).toBeVisible();
  await expect(dialog.locator('#monthly-arpu-chart canvas')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('modal-close')).toBeFocused();
  await expect(rows.first()).toHaveAttribute('data-isdn', top[0].isdn); // the list is still underneath
  await page.waitForTimeout(600);
  await page.screenshot({ path: 'test-results/customer360-modal.png' });
  await expectAccessible(page);

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(page.url()).toBe(listUrl);
  await expect(page.getByLabel('Risk')).toHaveValue('MEDIUM');
  await expect(page.getByLabel('PRE / POS')).toHaveValue('PRE');

  await rows.nth(1).getByRole('link').click();
  await expect(dialog).toContainText(top[1].isdn);
  await page.getByTestId('modal-close').click();
  await expect(dialog).toHaveCount(0);
  expect(page.url()).toBe(listUrl);
  expect(errors).toEqual([]);
});

test('column headers sort the list, the second click turns the order round', async ({ page }) => {
  const byAdvance = (direction: string) => query<{ isdn: string }>(
    `SELECT isdn FROM recommendations WHERE service_type = 'EasyCredit'
     ORDER BY advance_amount ${direction}, isdn ${direction} LIMIT 100`);
  await page.goto('/subscribers?service=EasyCredit');
  await page.getByRole('columnheader', { name: 'Advance' }).getByRole('link').click();
  await expect(page).toHaveURL(/service=EasyCredit&sort=advance$/);
  await expect.poll(() => isdnsOn(page)).toEqual((await byAdvance('DESC')).map((r) => r.isdn));
  await expect(page.getByRole('columnheader', { name: 'Advance' })).toHaveAttribute('aria-sort', 'descending');

  await page.getByRole('columnheader', { name: 'Advance' }).getByRole('link').click();
  await expect(page).toHaveURL(/sort=advance&order=asc$/);
  await expect.poll(() => isdnsOn(page)).toEqual((await byAdvance('ASC')).map((r) => r.isdn));

  // Filtering keeps the order.
  await page.getByLabel('Risk').selectOption('LOW');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/risk=LOW.*sort=advance&order=asc/);
});

test('PRE / POS and ARPU trend filter the list, with Vietnamese values in the URL', async ({ page }) => {
  const [{ n }] = await query<{ n: number }>(
    "SELECT COUNT(*)::int AS n FROM recommendations WHERE subscriber_type = 'POS' AND arpu_trend = 'Giảm'");
  const [{ trend }] = await query<{ trend: number }>(
    "SELECT COUNT(*)::int AS trend FROM recommendations WHERE arpu_trend = 'Tăng trưởng'");
  await page.goto('/subscribers');
  await page.getByLabel('PRE / POS').selectOption('POS');
  await page.getByLabel('ARPU trend').selectOption('Giảm');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/subscriber_type=POS/);
  // Exact, from the statistics, however many match.
  await expect(page.getByTestId('list-count')).toContainText(`${grouped(n)} subscribers match`);
  const trends = await page.locator('[data-testid="subscriber-table"] tbody tr td:nth-child(9)').allTextContents();
  expect(new Set(trends)).toEqual(new Set(['Declining'])); // 'Giảm' as the English page shows it

  await page.goto('/subscribers?trend=' + encodeURIComponent('Tăng trưởng'));
  await expect(page.getByTestId('list-count')).toContainText(`${grouped(trend)} subscribers match`);
  await expect(page.getByLabel('ARPU trend')).toHaveValue('Tăng trưởng');
});

test('without JavaScript the modal renders over the list and its close link returns', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const [first] = await query<{ isdn: string }>(
    "SELECT isdn FROM recommendations WHERE bad_debt_risk = 'LOW' ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC LIMIT 1");
  await page.goto(`/subscribers?risk=LOW&open=${encodeURIComponent(first.isdn)}`);
  await expect(page.getByRole('dialog')).toContainText(first.isdn);
  await expect(page.getByRole('dialog').getByTestId('monthly-arpu-table')).toBeVisible();
  await page.getByTestId('modal-close').click();
  await expect(page).toHaveURL(/\/subscribers\?risk=LOW$/);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await context.close();
});

test('impossible filters say so, and bad ones name the field', async ({ page }) => {
  await page.goto('/subscribers?service=MBFG&min_value=100&min_readiness=100&cluster=999');
  await expect(page.getByTestId('empty-list')).toContainText('No subscribers match');
  await page.goto('/subscribers?min_value=150');
  await expect(page.getByTestId('list-error')).toContainText('outside 0 to 100');
  await page.goto('/subscribers?sort=colour');
  await expect(page.getByTestId('list-error')).toContainText('unknown sort column "colour"');
});

test('the list downloads as CSV with its filters and order', async ({ page }) => {
  const rows = await query<{ isdn: string }>(
    `SELECT isdn FROM recommendations WHERE service_type = 'ungsanluong' AND bad_debt_risk = 'MEDIUM'
     ORDER BY advance_amount DESC, isdn DESC`);
  await page.goto('/subscribers?service=ungsanluong&risk=MEDIUM&sort=advance');
  // Compressed on the way, as browsers ask for it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^subscribers-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = (await import('fs')).readFileSync((await download.path())!, 'utf8');
  expect(text.startsWith('\ufeffisdn,subscriber_type,service_type,')).toBe(true);
  const isdns = text.trim().split('\n').slice(1).map((line) => line.split(',')[0].replace(/^'/, ''));
  expect(isdns).toEqual(rows.map((r) => r.isdn));
});
