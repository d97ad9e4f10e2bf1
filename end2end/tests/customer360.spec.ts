import { test, expect } from '@playwright/test';
import { Client } from 'pg';
import { expectAccessible, query } from './support';

// Seed 001's example subscriber, the first of the demo data.
const ISDN = '++/hZFPrCDRre55vsZqqxQ==';

async function subscriberTruth(isdn: string) {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const rec = await client.query(
      `SELECT service_type, bad_debt_risk, ROUND(advance_amount)::int AS advance,
              ROUND(customer_value_score, 1)::text AS value_score
       FROM recommendations WHERE isdn = $1`, [isdn]);
    const months = await client.query(
      `SELECT data_month, ROUND(arpu_total)::int AS total FROM subscriber_monthly_arpu
       WHERE isdn = $1 ORDER BY data_month`, [isdn]);
    const profile = await client.query(
      `SELECT classification_reason, cluster_group, cluster_label, revenue_call_pct::float8 AS call,
              revenue_sms_pct::float8 AS sms, revenue_data_pct::float8 AS data
       FROM subscriber_360_profiles WHERE isdn = $1`, [isdn]);
    const p = profile.rows[0];
    return {
      ...rec.rows[0],
      months: months.rows as { data_month: string; total: number }[],
      reason: p.classification_reason as string,
      cluster: `${p.cluster_group} · ${p.cluster_label}`,
      shares: [p.call, p.sms, p.data] as number[],
    };
  } finally {
    await client.end();
  }
}

const grouped = (n: number) => n.toLocaleString('en-US');

test('searching an ISDN opens its Customer360 with the database figures and a drawn chart', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const db = await subscriberTruth(ISDN);
  await page.goto('/');
  await page.getByLabel('Subscriber ISDN').fill(ISDN);
  await page.getByLabel('Subscriber ISDN').press('Enter');

  await expect(page).toHaveURL(/\/subscribers\/%2B%2B%2FhZFPrCDRre55vsZqqxQ==$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(ISDN);
  await expect(page.getByTestId('service')).toHaveText(db.service_type);
  const level: Record<string, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High' };
  await expect(page.getByTestId('risk')).toHaveText(`${level[db.bad_debt_risk]} risk`);
  await expect(page.locator('[data-testid="advance_amount"] .stat-value')).toHaveText(`${grouped(db.advance)} ₫`);
  await expect(page.locator('[data-testid="customer_value_score"] .stat-value')).toHaveText(db.value_score);
  // The generator's Vietnamese sentence, in English with the cluster's own words.
  await expect(page.getByTestId('classification-reason')).toContainText(`Recommended ${db.service_type}: ${db.cluster.split(' · ')[1]}, average ARPU`);
  expect(db.reason).toContain(`Đề xuất ${db.service_type}`);

  const rows = page.locator('[data-testid="monthly-arpu-table"] tbody tr');
  await expect(rows).toHaveCount(db.months.length);
  for (const [i, month] of db.months.entries()) {
    await expect(rows.nth(i).locator('td.total')).toHaveText(`${grouped(month.total)} ₫`);
  }

  const canvas = page.locator('#monthly-arpu-chart canvas');
  await expect(canvas).toBeVisible({ timeout: 20_000 });
  const series = await page.evaluate(() => {
    const instance = (window as any).echarts.getInstanceByDom(document.getElementById('monthly-arpu-chart'));
    return instance.getOption().series.map((s: any) => ({ name: s.name, type: s.type, points: s.data.length }));
  });
  expect(series).toEqual(['Call', 'SMS', 'Data'].map((name) => ({ name, type: 'bar', points: db.months.length }))
    .concat([{ name: 'Total', type: 'line', points: db.months.length }]));
  const box = (await canvas.boundingBox())!;
  await canvas.hover({ position: { x: box.width - 60, y: box.height / 2 } });
  const tooltip = page.locator('#monthly-arpu-chart > div').last();
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText('Total');

  await page.waitForTimeout(500);
  await page.screenshot({ path: 'test-results/customer360.png', fullPage: true });

  // A legend click hides its series: the Call legend item, found where ECharts drew it.
  const callItem = await page.evaluate(() => {
    const instance = (window as any).echarts.getInstanceByDom(document.getElementById('monthly-arpu-chart'));
    const legend = instance._componentsViews.find((view: any) => view.type.startsWith('legend'));
    const item = legend.getContentGroup().children()[0];
    const rect = item.getBoundingRect();
    const [x, y] = item.transformCoordToGlobal(rect.x + rect.width / 2, rect.y + rect.height / 2);
    return { x, y };
  });
  await canvas.click({ position: callItem });
  await expect.poll(() => page.evaluate(() => {
    const instance = (window as any).echarts.getInstanceByDom(document.getElementById('monthly-arpu-chart'));
    return instance.getOption().legend[0].selected;
  })).toMatchObject({ Call: false });

  // Cluster and its label; the revenue donut and its figures.
  await expect(page.locator('section[aria-label="Basic"] dd').nth(4)).toHaveText(db.cluster);
  await expect(page.locator('#revenue-chart canvas')).toBeVisible();
  const slices = await page.evaluate(() => {
    const instance = (window as any).echarts.getInstanceByDom(document.getElementById('revenue-chart'));
    return instance.getOption().series[0].data.map((d: any) => d.value);
  });
  expect(slices).toEqual(db.shares);
  await expect(page.getByTestId('revenue-breakdown').locator('dd').first()).toHaveText(`${db.shares[0].toFixed(1)}%`);

  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('without JavaScript the Customer360 page shows the monthly ARPU table', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const db = await subscriberTruth(ISDN);
  await page.goto(`/subscribers/${encodeURIComponent(ISDN)}`);
  await expect(page.locator('[data-testid="monthly-arpu-table"] tbody tr')).toHaveCount(db.months.length);
  await expect(page.locator('#monthly-arpu-chart canvas')).toHaveCount(0);
  await context.close();
});

test('unknown and malformed ISDNs get a clear message', async ({ page }) => {
  await page.goto('/subscribers/AAAAAAAAAAAAAAAAAAAAAA==');
  await expect(page.getByTestId('not-found')).toContainText('No such subscriber');
  await page.goto('/search?isdn=' + encodeURIComponent('not an isdn'));
  await expect(page.getByTestId('lookup-error')).toContainText('is not an ISDN');
});

test('Customer360 lists the subscriber\'s latest transactions, newest first', async ({ page }) => {
  const [subscriber] = await query<{ isdn: string; n: number }>(
    `SELECT isdn, COUNT(*)::int AS n FROM transaction_detail GROUP BY isdn ORDER BY COUNT(*) DESC, isdn LIMIT 1`);
  const latest = await query<{ at: string; status: string }>(
    `SELECT to_char(trans_date, 'YYYY-MM-DD HH24:MI') AS at, status FROM transaction_detail
     WHERE isdn = $1 ORDER BY trans_date DESC LIMIT 20`, [subscriber.isdn]);
  await page.goto(`/subscribers/${encodeURIComponent(subscriber.isdn)}`);
  const rows = page.locator('[data-testid="recent-transactions"] tbody tr');
  await expect(rows).toHaveCount(Math.min(20, subscriber.n));
  await expect(rows.first().locator('td').first()).toHaveText(latest[0].at);
  // Stored as SUCCESS / FAILED / PENDING, shown in the page's language (English here).
  const shown: Record<string, string> = { SUCCESS: 'Succeeded', FAILED: 'Failed', PENDING: 'Pending' };
  await expect(rows.first().locator('td').nth(3)).toHaveText(shown[latest[0].status] ?? latest[0].status);
  await expect(rows.last().locator('td').first()).toHaveText(latest[latest.length - 1].at);
});
