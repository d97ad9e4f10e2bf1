// Issue 25, items 1 and 2 in a real browser: the rates page against the database, a
// new rate previewed without writing anything, and a month closed (reopened first with
// a reason when an earlier run closed it) with its state shown on the report; a manager
// may close but is not offered the reopening.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, hydrated, query } from './support';

const password = process.env.E2E_PASSWORD ?? '';

const DEFAULT_ORG = `(SELECT id FROM organizations WHERE slug = 'default')`;

function failOnPageErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** This month and the one before, `YYYY-MM`, and this month's first day, by the database's clock. */
async function months() {
  const [row] = await query<{ current: string; last: string; first_day: string }>(
    `SELECT to_char(CURRENT_DATE, 'YYYY-MM') AS current,
            to_char(CURRENT_DATE - INTERVAL '1 month', 'YYYY-MM') AS last,
            to_char(date_trunc('month', CURRENT_DATE), 'YYYY-MM-DD') AS first_day`);
  return row;
}

test('the rates page shows the rates in force and previews a change without writing it', async ({ page }) => {
  const errors = failOnPageErrors(page);
  const inForce = await query<{ level: number; rate: number; since: string }>(
    `SELECT DISTINCT ON (level) level::int, rate::float8, to_char(effective_from, 'YYYY-MM-DD') AS since
     FROM hoa_hong_config WHERE organization_id = ${DEFAULT_ORG} AND effective_from <= CURRENT_DATE
     ORDER BY level, effective_from DESC`);
  const countRates = async () => (await query<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM hoa_hong_config WHERE organization_id = ${DEFAULT_ORG}`))[0].n;
  const ratesBefore = await countRates();
  const { current, first_day } = await months();
  const [{ total }] = await query<{ total: number }>(
    `SELECT COALESCE(SUM(amount), 0)::float8 AS total FROM commissions
     WHERE organization_id = ${DEFAULT_ORG} AND period = date_trunc('month', CURRENT_DATE)::date`);

  await page.goto('/commissions');
  // Hydrated first, the link is followed by the router, the same way on every run.
  await hydrated(page);
  await page.getByTestId('rates-link').click();
  await expect(page).toHaveURL(/\/commissions\/rates$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Commission rates');
  const rows = page.locator('[data-testid="rates-current"] tbody tr');
  await expect(rows).toHaveCount(inForce.length);
  for (const rate of inForce) {
    const row = page.locator(`[data-testid="rates-current"] tr[data-level="${rate.level}"]`);
    await expect(row.getByTestId('current-rate')).toHaveText(`${rate.rate} %`);
    await expect(row).toContainText(rate.since);
  }
  await expect(page.locator('[data-testid="rates-history"] tbody tr')).toHaveCount(ratesBefore);

  // Typed before hydration, the form would post without the page's code: wait for it.
  await hydrated(page);
  const form = page.getByTestId('rate-form');
  await form.getByLabel('Level').selectOption('2');
  await form.getByLabel('Rate (%)').fill('3.5');
  await form.getByLabel('From').fill(first_day);
  await form.getByTestId('preview-rate').click();

  const preview = page.getByTestId('rate-preview');
  const refused = page.getByTestId('rate-error');
  await expect(preview.or(refused)).toBeVisible();
  // A refusal fails the test with its own words rather than as a missing preview.
  expect(await refused.count() ? await refused.textContent() : null).toBeNull();
  await expect(preview.getByRole('heading')).toContainText(`level 2 at 3.5 % from ${first_day}`);
  await expect(page.getByTestId('preview-summary')).toContainText('Nothing has been written yet');
  // The open month comes first, its figures now as the ledger has them.
  const open = preview.getByTestId('preview-month').first();
  await expect(open).toHaveAttribute('data-period', current);
  const now = Number(await open.locator('tr[data-figure="total"] td').first().getAttribute('data-value'));
  expect(now).toBeCloseTo(total, 2);
  await expect(preview.getByTestId('save-rate')).toBeVisible();
  expect(await countRates()).toBe(ratesBefore);
  await page.screenshot({ path: 'test-results/commission-rates.png', fullPage: true });
  await expectAccessible(page);

  // A rate from a day of a closed month is refused, naming the field.
  const [closed] = await query<{ day: string }>(
    `SELECT to_char(MAX(period), 'YYYY-MM-DD') AS day FROM commission_periods WHERE organization_id = ${DEFAULT_ORG}`);
  if (closed?.day) {
    await form.getByLabel('From').fill(closed.day);
    await form.getByTestId('preview-rate').click();
    await expect(page.getByTestId('rate-error')).toContainText('Effective from');
    expect(await countRates()).toBe(ratesBefore);
  }
  expect(errors).toEqual([]);
});

test('a month is closed from the report and shows who closed it; a manager is not offered the reopening', async ({ page, browser }) => {
  const errors = failOnPageErrors(page);
  const { last } = await months();
  const row = () => page.locator(`[data-testid="period-states"] tr[data-period="${last}"]`);

  await page.goto('/commissions');
  await hydrated(page);
  await expect(row()).toBeVisible();
  // An earlier run closed it: the admin reopens it first, with a reason.
  if ((await row().getAttribute('data-state')) === 'closed') {
    const reopen = row().getByTestId('reopen-period');
    await reopen.getByLabel('Reason').fill('Kiểm tra lại trước khi chốt');
    await reopen.getByRole('button', { name: 'Reopen' }).click();
    await expect(row()).toHaveAttribute('data-state', 'open');
    await expect(row().getByTestId('period-state')).toContainText('reopened by e2e-admin@ut360.test');
    await expect(row().getByTestId('period-state')).toContainText('Kiểm tra lại trước khi chốt');
  }

  await row().getByTestId('close-period').click();
  await expect(row()).toHaveAttribute('data-state', 'closed');
  await expect(row().getByTestId('period-state')).toContainText('Closed by e2e-admin@ut360.test');
  const [state] = await query<{ closed_by: string }>(
    `SELECT closed_by FROM commission_periods WHERE organization_id = ${DEFAULT_ORG} AND to_char(period, 'YYYY-MM') = $1`,
    [last]);
  expect(state.closed_by).toBe('e2e-admin@ut360.test');
  // The report of that month says it is closed.
  await page.goto(`/commissions?period=${last}`);
  await expect(page.getByTestId('report-count')).toContainText('the month is closed');
  await page.screenshot({ path: 'test-results/commission-periods.png', fullPage: true });
  expect(errors).toEqual([]);

  // A manager sees the state, but only an admin reopens.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const manager = await context.newPage();
  await manager.goto('/sign-in');
  await manager.getByLabel('Email').fill('e2e-manager@ut360.test');
  await manager.getByLabel('Password').fill(password);
  await manager.getByRole('button', { name: 'Sign in' }).click();
  await expect(manager).toHaveURL(/\/$/);
  await manager.goto('/commissions');
  const managerRow = manager.locator(`[data-testid="period-states"] tr[data-period="${last}"]`);
  await expect(managerRow).toHaveAttribute('data-state', 'closed');
  await expect(managerRow).toContainText('Only an admin reopens a month.');
  await expect(managerRow.getByTestId('reopen-period')).toHaveCount(0);
  await context.close();
});
