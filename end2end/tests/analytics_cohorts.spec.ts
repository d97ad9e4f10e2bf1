// Cohorts and campaign funnels (issue 24): after the nightly computation (run here
// through SQL, as the scheduler's entry point does), the pages show the table's figures
// as a heat map / funnel chart with their tables; the pages are accessible and refused
// to roles without the permission.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, grouped, hydrated, query, signIn, STORAGE_STATE } from './support';

const organization = `(SELECT id FROM organizations WHERE slug = 'default')`;

/** What `OrganizationStore::recompute_cohorts_and_funnels` runs, for the default organization. */
async function computeNightly() {
  await query(
    `SELECT set_config('app.organization_id', ${organization}::text, false);
     SELECT compute_cohort_analysis(${organization}, 12), compute_funnel_analysis(${organization});`,
  );
}

test('the cohorts page shows every cohort of the table with its size and a heat map', async ({ page }) => {
  await computeNightly();
  const cohorts = await query<{ month: string; size: number; first: string }>(
    `SELECT to_char(cohort_date, 'YYYY-MM') AS month, MAX(cohort_size)::int AS size,
            to_char(100 * MAX(retention_rate) FILTER (WHERE period_number = 0), 'FM990.0') AS first
     FROM cohort_analysis WHERE organization_id = ${organization} AND cohort_type = 'first_top_up'
     GROUP BY cohort_date ORDER BY cohort_date`,
  );
  await page.goto('/analytics/cohorts');
  await expect(page.getByRole('heading', { name: 'Cohorts', level: 1 })).toBeVisible();
  if (cohorts.length === 0) {
    await expect(page.getByTestId('no-cohorts')).toContainText('computed nightly');
  } else {
    const rows = page.getByTestId('cohort-table').locator('tbody tr');
    await expect(rows).toHaveCount(cohorts.length);
    for (const [index, cohort] of cohorts.entries()) {
      await expect(rows.nth(index)).toHaveAttribute('data-cohort', cohort.month);
      await expect(rows.nth(index).locator('td').first()).toHaveText(grouped(cohort.size));
      await expect(rows.nth(index).locator('td').nth(1)).toHaveText(`${cohort.first}%`);
    }
    await expect(page.getByTestId('cohort-count')).toContainText('last computed at');
    await expect(page.locator('#cohort-heat-map canvas')).toBeVisible({ timeout: 20_000 });
  }
  await page.screenshot({ path: 'test-results/analytics-cohorts.png', fullPage: true });
  await expectAccessible(page);
});

test('the heat map\'s cell labels, tooltip and colour scale write percentages as the language does', async ({ browser }) => {
  await computeNightly();
  for (const [locale, mark] of [['vi-VN', ','], ['en-US', '.']] as const) {
    const context = await browser.newContext({ locale, storageState: STORAGE_STATE });
    const page = await context.newPage();
    await page.goto('/analytics/cohorts');
    await hydrated(page);
    await expect(page.locator('#cohort-heat-map canvas')).toBeVisible({ timeout: 20_000 });
    // The formatters the drawn chart holds, given what ECharts gives them: a cell (its
    // value is [month, cohort, percent]), a tooltip's value, a colour-scale handle's value.
    const written = await page.evaluate(() => {
      const chart = (window as any).echarts.getInstanceByDom(document.getElementById('cohort-heat-map'));
      const option = chart.getOption();
      return {
        cell: option.series[0].label.formatter({ value: [1, 0, 45.3] }),
        tooltip: option.tooltip[0].valueFormatter(45.3),
        scale: option.visualMap[0].formatter(12.5),
      };
    });
    expect(written, locale).toEqual({ cell: `45${mark}3%`, tooltip: `45${mark}3%`, scale: `12${mark}5%` });
    await context.close();
  }
});

test('the funnels page shows the latest campaign\'s four steps, and a range without exports says so', async ({ page }) => {
  await computeNightly();
  const campaigns = await query<{ id: string }>(
    `SELECT funnel_name AS id FROM funnel_analysis WHERE organization_id = ${organization}
     GROUP BY funnel_name ORDER BY MAX(date) DESC`,
  );
  await page.goto('/analytics/funnels');
  await expect(page.getByRole('heading', { name: 'Campaign funnels', level: 1 })).toBeVisible();
  if (campaigns.length === 0) {
    await expect(page.getByTestId('no-funnels')).toContainText('computed nightly');
    await expectAccessible(page);
    return;
  }
  const steps = await query<{ visitors: number; conversions: number }>(
    `SELECT SUM(visitors)::int AS visitors, SUM(conversions)::int AS conversions FROM funnel_analysis
     WHERE organization_id = ${organization} AND funnel_name = $1 GROUP BY step_order ORDER BY step_order`,
    [campaigns[0].id],
  );
  await expect(page.getByLabel('Campaign', { exact: true })).toHaveValue(campaigns[0].id);
  const rows = page.getByTestId('funnel-table').locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const [index, step] of steps.entries()) {
    await expect(rows.nth(index).locator('td').nth(0)).toHaveText(grouped(step.visitors));
    await expect(rows.nth(index).locator('td').nth(1)).toHaveText(grouped(step.conversions));
  }
  await expect(page.locator('#funnel-chart canvas')).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'test-results/analytics-funnels.png', fullPage: true });
  await expectAccessible(page);

  await page.getByLabel('Exported from').fill('2000-01-01');
  await page.getByLabel('Exported until').fill('2000-01-31');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/from=2000-01-01/);
  await expect(page.getByTestId('no-funnel-steps')).toBeVisible();
  await expectAccessible(page);
});

test.describe('without the permission', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('marketing opens the funnels but not the cohorts', async ({ page }) => {
    await page.goto('/sign-in');
    await signIn(page, 'marketing');
    await expect(page).toHaveURL(/\/$/);
    expect((await page.goto('/analytics/cohorts'))?.status()).toBe(403);
    expect((await page.goto('/analytics/funnels'))?.status()).toBe(200);
    await expect(page.getByRole('link', { name: 'Cohorts' })).toHaveCount(0);
  });

  test('an analyst opens neither', async ({ page }) => {
    await page.goto('/sign-in');
    await signIn(page, 'analyst');
    await expect(page).toHaveURL(/\/$/);
    expect((await page.goto('/analytics/funnels'))?.status()).toBe(403);
    expect((await page.goto('/analytics/cohorts'))?.status()).toBe(403);
  });
});
