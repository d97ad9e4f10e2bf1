import { test, expect } from '@playwright/test';
import { Client } from 'pg';

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const grouped = (n: number) => n.toLocaleString('en-US');
const isdnsOn = (page: import('@playwright/test').Page) =>
  page.locator('[data-testid="subscriber-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-isdn')));

test('a filtered list pages by priority, survives a reload and goes back', async ({ page }) => {
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

  await page.getByTestId('next-page').click();
  await expect(page).toHaveURL(/after=/);
  await expect.poll(() => isdnsOn(page)).toEqual(top.slice(100, 200).map((r) => r.isdn));
  const secondPage = page.url();

  await page.reload();
  await expect(page.getByLabel('Service')).toHaveValue('MBFG');
  expect(await isdnsOn(page)).toEqual(top.slice(100, 200).map((r) => r.isdn));
  expect(page.url()).toBe(secondPage);

  await page.goBack();
  await expect.poll(() => isdnsOn(page)).toEqual(top.slice(0, 100).map((r) => r.isdn));

  // A row opens the subscriber's Customer360.
  await page.locator('[data-testid="subscriber-table"] tbody tr').first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(top[0].isdn);
});

test('impossible filters say so, and bad ones name the field', async ({ page }) => {
  await page.goto('/subscribers?service=MBFG&min_value=100&min_readiness=100&cluster=999');
  await expect(page.getByTestId('empty-list')).toContainText('No subscribers match');
  await page.goto('/subscribers?min_value=150');
  await expect(page.getByTestId('list-error')).toContainText('outside 0 to 100');
});
