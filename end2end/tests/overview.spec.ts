import { test, expect, Page } from '@playwright/test';
import { Client } from 'pg';
import { expectAccessible } from './support';

// The figures the page must show, read straight from the database it serves.
async function truth() {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const total = await client.query('SELECT COUNT(*)::int AS n FROM recommendations');
    const byService = await client.query(
      'SELECT service_type, COUNT(*)::int AS n FROM recommendations GROUP BY 1');
    const byRisk = await client.query(
      'SELECT bad_debt_risk, COUNT(*)::int AS n FROM recommendations GROUP BY 1');
    const cells = await client.query(
      'SELECT service_type, bad_debt_risk, COUNT(*)::int AS n FROM recommendations GROUP BY 1, 2');
    const average = await client.query('SELECT ROUND(AVG(advance_amount))::int AS n FROM recommendations');
    return {
      total: total.rows[0].n as number,
      service: Object.fromEntries(byService.rows.map((r) => [r.service_type, r.n as number])),
      risk: Object.fromEntries(byRisk.rows.map((r) => [r.bad_debt_risk, r.n as number])),
      cell: Object.fromEntries(cells.rows.map((r) => [`${r.service_type}|${r.bad_debt_risk}`, r.n as number])),
      averageAdvance: average.rows[0].n as number,
    };
  } finally {
    await client.end();
  }
}

const grouped = (n: number) => n.toLocaleString('en-US');

async function card(page: Page, testid: string) {
  return page.locator(`[data-testid="${testid}"] .stat-value`);
}

test('overview shows the database totals', async ({ page }) => {
  const db = await truth();
  expect(db.total).toBe(214_504); // the demo data is at the seeds' scale
  await page.goto('/');

  await expect(await card(page, 'total_subscribers')).toHaveText(grouped(db.total));
  for (const service of ['EasyCredit', 'MBFG', 'ungsanluong']) {
    await expect(await card(page, service)).toHaveText(grouped(db.service[service]));
  }
  for (const risk of ['LOW', 'MEDIUM']) {
    await expect(await card(page, risk)).toHaveText(grouped(db.risk[risk]));
  }
  await expect(await card(page, 'avg_advance_amount')).toHaveText(`${grouped(db.averageAdvance)} ₫`);

  const table = page.getByTestId('service-risk-table');
  for (const service of ['EasyCredit', 'MBFG', 'ungsanluong']) {
    const row = table.locator(`tr[data-service="${service}"]`);
    await expect(row.locator('td').nth(0)).toHaveText(grouped(db.cell[`${service}|LOW`]));
    await expect(row.locator('td').nth(1)).toHaveText(grouped(db.cell[`${service}|MEDIUM`]));
    await expect(row.locator('td.total')).toHaveText(grouped(db.service[service]));
  }
});

test('the chart is drawn by hydration and answers a hover', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const db = await truth();
  await page.goto('/');

  // The canvas only exists once the wasm bundle has hydrated and run charming's renderer.
  const chart = page.locator('#service-risk-chart');
  const canvas = chart.locator('canvas');
  await expect(canvas).toBeVisible({ timeout: 20_000 });
  const series = await page.evaluate(() => {
    const instance = (window as any).echarts.getInstanceByDom(document.getElementById('service-risk-chart'));
    return instance.getOption().series.map((s: any) => ({ name: s.name, data: s.data }));
  });
  expect(series).toEqual([
    { name: 'Low risk', data: ['EasyCredit', 'MBFG', 'ungsanluong'].map((s) => db.cell[`${s}|LOW`]) },
    { name: 'Medium risk', data: ['EasyCredit', 'MBFG', 'ungsanluong'].map((s) => db.cell[`${s}|MEDIUM`]) },
  ]);

  // Hovering over the EasyCredit bar opens ECharts' tooltip with its figures.
  const box = (await canvas.boundingBox())!;
  const gridLeft = 70, gridRight = 20; // the chart's grid, see service_risk_chart()
  await canvas.hover({ position: { x: gridLeft + (box.width - gridLeft - gridRight) / 6, y: box.height - 80 } });
  const tooltip = chart.locator(':scope > div').last();
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText('EasyCredit');
  await expect(tooltip).toContainText(grouped(db.cell['EasyCredit|LOW']));
  await expect(tooltip).toContainText(grouped(db.cell['EasyCredit|MEDIUM']));

  // Clicking "Medium risk" in the legend (bottom centre) hides that series.
  const legendSelection = () => page.evaluate(() => {
    const instance = (window as any).echarts.getInstanceByDom(document.getElementById('service-risk-chart'));
    return instance.getOption().legend[0].selected ?? {};
  });
  expect(await legendSelection()).not.toMatchObject({ 'Medium risk': false });
  await canvas.click({ position: { x: box.width / 2 + 40, y: box.height - 14 } });
  await expect.poll(legendSelection).toMatchObject({ 'Medium risk': false, 'Low risk': true });

  // The chart follows the window's width.
  const wideWidth = Number(await canvas.getAttribute('width'));
  await page.setViewportSize({ width: 800, height: 900 });
  await expect.poll(async () => Number(await canvas.getAttribute('width'))).toBeLessThan(wideWidth);
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect.poll(async () => Number(await canvas.getAttribute('width'))).toBe(wideWidth);

  await page.waitForTimeout(1_000); // let the legend animation settle for the screenshot
  await page.screenshot({ path: 'test-results/overview.png', fullPage: true });
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('without JavaScript the figures read as a table', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const db = await truth();
  await page.goto('/');
  await expect(page.getByTestId('service-risk-table')).toBeVisible();
  await expect(page.locator('#service-risk-chart canvas')).toHaveCount(0);
  await expect(await card(page, 'total_subscribers')).toHaveText(grouped(db.total));
  await context.close();
});

test('an unknown address shows a not-found page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
