// Who is using UT360 now (issue 24): the admin's own visit is listed as active with its
// page and browser, the pages and days count page views as the database does, the page
// is accessible, and refused to anyone but an admin.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, query, signIn } from './support';

test.use({ storageState: { cookies: [], origins: [] } });


test('an admin sees themselves active now, and page views per page and per day', async ({ page }) => {
  await page.goto('/sign-in?next=%2Fadmin%2Fmembers');
  await signIn(page, 'admin');
  await expect(page).toHaveURL(/\/admin\/members$/);
  // Written in the background: give the writer a moment before reading.
  await page.waitForTimeout(500);
  await page.goto('/admin/usage');
  await expect(page.getByRole('heading', { level: 1, name: 'Who is using UT360 now' })).toBeVisible();

  const active = page.getByTestId('active-sessions').locator('tbody tr', { hasText: 'e2e-admin@ut360.test' });
  await expect(active.first()).toBeVisible();
  await expect(active.first()).toContainText('Chrome');
  await expect(active.first()).toContainText('Desktop');

  // Today's page views in the table match the database (this page's own view may land
  // after the read: at least the count before it).
  const [{ count }] = await query<{ count: string }>(
    `SELECT COUNT(*) FROM event_tracking e JOIN organizations o ON o.id = e.organization_id
     WHERE o.slug = 'default' AND e.event_name = 'page_view'
       AND e.timestamp >= (NOW() AT TIME ZONE 'UTC')::date::timestamp AT TIME ZONE 'UTC'`,
  );
  const today = new Date().toISOString().slice(0, 10);
  const todayRow = page.getByTestId('usage-per-day').locator(`tbody tr[data-day="${today}"]`);
  await expect(todayRow).toBeVisible();
  const shown = Number((await todayRow.locator('td').first().innerText()).replace(/\D/g, ''));
  expect(shown).toBeGreaterThanOrEqual(1);
  expect(shown).toBeLessThanOrEqual(Number(count));
  await expect(page.getByTestId('page-usage').locator('tbody tr[data-page="/admin/members"]')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Page views and sessions per day' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/usage.png', fullPage: true });
});

test('a manager is refused the usage page', async ({ page }) => {
  await page.goto('/sign-in');
  await signIn(page, 'manager');
  await expect(page).toHaveURL(/\/$/);
  const response = await page.goto('/admin/usage');
  expect(response?.status()).toBe(403);
});
