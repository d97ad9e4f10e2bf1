// Issue 25, items 4 and 5 in a real browser: /network opens on the whole network (its
// figures against the database) and a top earner opens its tree; a collaborator's
// printable statement adds up to the ledger, prints on A4 without the app's header and
// downloads as a workbook.
import { test, expect, Page } from '@playwright/test';
import { DEFAULT_ORG, expectAccessible, grouped, query, topEarner } from './support';
import { readFileSync } from 'fs';

function failOnPageErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('the network opens on its figures and a top earner opens its tree', async ({ page }) => {
  const errors = failOnPageErrors(page);
  const [{ collaborators }] = await query<{ collaborators: number }>(
    `SELECT COUNT(*)::int AS collaborators FROM ctv WHERE organization_id = ${DEFAULT_ORG}`);
  const ranks = await query<{ cap_bac: string; n: number }>(
    `SELECT cap_bac, COUNT(*)::int AS n FROM ctv WHERE organization_id = ${DEFAULT_ORG} GROUP BY cap_bac`);
  const earner = await topEarner();

  await page.goto('/network');
  const overview = page.getByTestId('network-overview');
  await expect(overview.getByTestId('overview-collaborators')).toContainText(grouped(collaborators));
  for (const rank of ranks) {
    await expect(overview.locator(`[data-testid="ranks"] tr[data-rank="${rank.cap_bac}"] [data-testid="rank-count"]`))
      .toHaveText(grouped(rank.n));
  }
  await expect(page.locator('#joined-chart canvas')).toBeVisible({ timeout: 20_000 });
  const earners = overview.getByTestId('top-earners');
  await expect(earners.locator('caption')).toContainText(earner.period);
  const first = earners.locator('tbody tr').first();
  await expect(first).toHaveAttribute('data-ctv', earner.ma_ctv);
  expect(Number(await first.locator('td[data-value]').getAttribute('data-value'))).toBeCloseTo(earner.total, 2);
  await expect(overview.getByTestId('largest-teams').locator('tbody tr')).toHaveCount(10);
  // The search is kept.
  await expect(page.getByLabel('Code, name or phone')).toBeVisible();
  await page.screenshot({ path: 'test-results/network-overview.png', fullPage: true });
  await expectAccessible(page);

  await first.getByTestId('earner-tree').click();
  await expect(page).toHaveURL(new RegExp(`ctv=${earner.ma_ctv}`));
  await expect(page.getByTestId('network-summary')).toContainText(earner.ma_ctv);
  await expect(page.getByTestId('downline').locator(`li[data-ctv="${earner.ma_ctv}"]`)).toBeVisible();
  await expect(page.getByTestId('network-overview')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a statement opens from the report, adds up to the ledger, prints on A4 and downloads', async ({ page }) => {
  const errors = failOnPageErrors(page);
  const earner = await topEarner();
  const [ledger] = await query<{ total: number; lines: number }>(
    `SELECT SUM(amount)::float8 AS total, COUNT(*)::int AS lines FROM commissions
     WHERE organization_id = ${DEFAULT_ORG} AND ma_ctv = $1 AND period = to_date($2, 'YYYY-MM')`,
    [earner.ma_ctv, earner.period]);

  await page.goto(`/commissions?period=${earner.period}&q=${earner.ma_ctv}`);
  const row = page.locator(`[data-testid="commission-report"] tbody tr[data-ctv="${earner.ma_ctv}"]`);
  await row.getByTestId('printable-statement-link').click();
  await expect(page).toHaveURL(new RegExp(`/commissions/statement\\?ctv=${earner.ma_ctv}&period=${earner.period}`));
  await expect(page.getByTestId('statement-title')).toContainText(earner.period);
  expect(Number(await page.getByTestId('statement-total').getAttribute('data-value'))).toBeCloseTo(ledger.total, 2);
  await expect(page.getByTestId('statement-lines').locator('tbody tr')).toHaveCount(ledger.lines);
  await page.screenshot({ path: 'test-results/statement.png', fullPage: true });
  await expectAccessible(page);

  // On paper: no header or navigation, and nothing wider than an A4 page (794 px at 96 dpi).
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByTestId('statement-xlsx')).toBeHidden();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/statement-print.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1280, height: 900 });

  const downloading = page.waitForEvent('download');
  await page.getByTestId('statement-xlsx').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`statement-${earner.ma_ctv.toLowerCase()}-${earner.period}.xlsx`);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(errors).toEqual([]);
});
