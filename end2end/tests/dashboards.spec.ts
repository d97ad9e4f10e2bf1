import { test, expect } from '@playwright/test';
import { Client } from 'pg';
import { expectAccessible, query } from './support';

async function counts(sql: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const rows = (await client.query(sql)).rows as { k: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.k, r.n]));
  } finally {
    await client.end();
  }
}

const grouped = (n: number) => n.toLocaleString('en-US');

test('dashboards show the database figures and a bar opens the list of its subscribers', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const byService = await counts('SELECT service_type AS k, COUNT(*)::int AS n FROM recommendations GROUP BY 1');
  const byCell = await counts(
    "SELECT service_type || '|' || bad_debt_risk AS k, COUNT(*)::int AS n FROM recommendations GROUP BY 1");
  const byCluster = await counts('SELECT cluster_group::text AS k, COUNT(*)::int AS n FROM recommendations GROUP BY 1');

  await page.goto('/dashboards');
  for (const [service, n] of Object.entries(byService)) {
    await expect(page.locator(`[data-testid="service-table"] tr[data-key="${service}"] td`).first()).toHaveText(grouped(n));
  }
  for (const [cell, n] of Object.entries(byCell)) {
    await expect(page.locator(`[data-testid="risk-table"] tr[data-key="${cell}"] td`).nth(1)).toHaveText(grouped(n));
  }
  for (const [cluster, n] of Object.entries(byCluster)) {
    await expect(page.locator(`[data-testid="cluster-table"] tr[data-key="${cluster}"] td`).first()).toHaveText(grouped(n));
  }

  // A click on the MBFG bar (the second of three categories, just above the axis).
  const canvas = page.locator('#service-chart canvas');
  await expect(canvas).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(1_200); // the bars' entry animation
  await page.screenshot({ path: 'test-results/dashboards.png', fullPage: true });
  const box = (await canvas.boundingBox())!;
  const gridLeft = 70, gridRight = 20, gridBottom = 50; // see bar_chart()
  await canvas.click({ position: { x: gridLeft + (box.width - gridLeft - gridRight) * 0.5, y: box.height - gridBottom - 6 } });
  await expect(page).toHaveURL(/\/subscribers\?service=MBFG$/);
  await expect(page.getByTestId('list-count')).toContainText(`${grouped(byService['MBFG'])} subscribers match`);

  // The same from a table count, for a service and risk.
  await page.goto('/dashboards');
  await page.locator('[data-testid="risk-table"] tr[data-key="EasyCredit|MEDIUM"] a').click();
  await expect(page).toHaveURL(/service=EasyCredit&risk=MEDIUM/);
  await expect(page.getByTestId('list-count')).toContainText(`${grouped(byCell['EasyCredit|MEDIUM'])} subscribers match`);
  expect(errors).toEqual([]);
});

test('clusters show their average ARPU and service mix, and a service in a cluster opens its list', async ({ page }) => {
  const clusters = await query<{ k: string; arpu: string; n: number }>(
    `SELECT cluster_group::text AS k, ROUND(ROUND(AVG(arpu_avg_6m), 2))::int AS arpu, COUNT(*)::int AS n
     FROM recommendations WHERE cluster_group IS NOT NULL GROUP BY 1`);
  const [mix] = await query<{ k: string; n: number }>(
    `SELECT cluster_group::text AS k, COUNT(*)::int AS n FROM recommendations
     WHERE service_type = 'MBFG' AND cluster_group IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT 1`);
  await page.goto('/dashboards');
  for (const cluster of clusters) {
    await expect(page.locator(`[data-testid="cluster-table"] tr[data-key="${cluster.k}"] td`).nth(1))
      .toHaveText(`${grouped(Number(cluster.arpu))} ₫`);
  }
  await expectAccessible(page);
  // A wide screen: the charts take the width, nothing overflows.
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.waitForTimeout(1_200);
  await page.screenshot({ path: 'test-results/dashboards-1920.png', fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1920);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator(`[data-testid="cluster-table"] tr[data-key="${mix.k}"] .service-mix a`, { hasText: 'MBFG' }).click();
  await expect(page).toHaveURL(new RegExp(`service=MBFG&cluster=${mix.k}$`));
  await expect(page.getByTestId('list-count')).toContainText(`${grouped(mix.n)} subscribers match`);
});
