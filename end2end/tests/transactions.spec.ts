import { test, expect } from '@playwright/test';
import { expectAccessible, grouped, query } from './support';

/** Figures over the raw rows of the last `days` days (today included), as SQL computes them. */
async function rawFigures(days: number) {
  const since = `trans_date >= CURRENT_DATE - ${days - 1} AND trans_date < CURRENT_DATE + 1`;
  const [totals] = await query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM transaction_detail WHERE ${since}`);
  const merchants = await query<{ code: string; n: number }>(
    `SELECT client_code AS code, COUNT(*)::int AS n FROM transaction_detail WHERE ${since}
     GROUP BY client_code ORDER BY SUM(paid_amount) FILTER (WHERE status = 'SUCCESS') DESC NULLS LAST, client_code LIMIT 10`);
  const modes = await query<{ mode: string; n: number }>(
    `SELECT payment_mode AS mode, COUNT(*)::int AS n FROM transaction_detail WHERE ${since} GROUP BY 1`);
  return { total: totals.n, merchants, modes };
}

test('the dashboard shows the raw rows\' figures and switching the range updates them', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const month = await rawFigures(30);
  expect(month.total).toBeGreaterThan(0);

  await page.goto('/transactions?range=month');
  await expect(page.getByTestId('period')).toContainText(`${grouped(month.total)} transactions`);
  const merchantRows = page.locator('[data-testid="merchant-table"] tbody tr');
  await expect(merchantRows).toHaveCount(month.merchants.length);
  for (const [index, merchant] of month.merchants.entries()) {
    await expect(merchantRows.nth(index)).toHaveAttribute('data-key', merchant.code);
    await expect(merchantRows.nth(index).getByTestId('merchant-transactions')).toHaveText(grouped(merchant.n));
  }
  for (const mode of month.modes) {
    await expect(page.locator(`[data-testid="payment-table"] tr[data-key="${mode.mode}"] [data-testid="mode-transactions"]`))
      .toHaveText(grouped(mode.n));
  }
  await expect(page.locator('#trend-chart canvas')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#merchant-chart canvas')).toBeVisible();
  await page.waitForTimeout(800);
  await page.screenshot({ path: 'test-results/transactions-month.png', fullPage: true });
  await expectAccessible(page);

  // The 7-day button: the figures and the trend follow, without a page load.
  const week = await rawFigures(7);
  await page.locator('a[data-range="week"]').click();
  await expect(page).toHaveURL(/range=week/);
  await expect(page.getByTestId('period')).toContainText(`${grouped(week.total)} transactions`);
  await expect(page.locator('a[data-range="week"]')).toHaveAttribute('aria-current', 'page');
  const trendDays = await query<{ n: number }>(
    `SELECT COUNT(DISTINCT trans_date::date)::int AS n FROM transaction_detail
     WHERE trans_date >= CURRENT_DATE - 6 AND trans_date < CURRENT_DATE + 1`);
  await expect(page.locator('[data-testid="trend-table"] tbody tr')).toHaveCount(trendDays[0].n);
  await expect(page.locator('#trend-chart canvas')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a merchant opens its own daily trend, and a bad custom range is named', async ({ page }) => {
  const [top] = (await rawFigures(365)).merchants;
  await page.goto('/transactions');
  await page.locator(`[data-testid="merchant-table"] tr[data-key="${top.code}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`merchant=${top.code}`));
  const drill = page.getByTestId('merchant-drill-down');
  await expect(drill).toBeVisible();
  const days = await query<{ day: string; n: number }>(
    `SELECT to_char(trans_date::date, 'YYYY-MM-DD') AS day, COUNT(*)::int AS n FROM transaction_detail
     WHERE client_code = $1 AND trans_date >= CURRENT_DATE - 364 AND trans_date < CURRENT_DATE + 1
     GROUP BY 1 ORDER BY 1 DESC LIMIT 1`, [top.code]);
  const latest = drill.locator(`[data-testid="merchant-trend-table"] tr[data-key="${days[0].day}"] td`).first();
  await expect(latest).toHaveText(grouped(days[0].n));
  await expect(page.locator('#merchant-trend-chart canvas')).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: 'test-results/transactions-merchant.png', fullPage: true });
  await drill.getByRole('link', { name: 'Close the merchant\'s trend' }).click();
  await expect(drill).toHaveCount(0);

  await page.goto('/transactions?range=custom&from=2026-03-10&until=2026-03-01');
  await expect(page.getByTestId('dashboard-error')).toContainText('Last day');
});
