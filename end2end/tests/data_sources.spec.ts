// The data sources page (issue 24): every source of the organization with its status,
// Sync now for the on-demand ones (its run then shows in the history), a reason for the
// others, accessible, and refused to anyone but an admin.
import { test, expect } from '@playwright/test';
import { expectAccessible, query, signIn } from './support';

test.use({ storageState: { cookies: [], origins: [] } });


test('an admin runs the transaction maintenance now and sees its run', async ({ page }) => {
  await page.goto('/sign-in?next=%2Fadmin%2Fdata-sources');
  await signIn(page, 'admin');
  await expect(page).toHaveURL(/\/admin\/data-sources$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Data sources' })).toBeVisible();

  const sources = page.getByTestId('data-sources');
  await expect(sources.locator('tbody tr[data-source-type="redis_cache"]')).toBeVisible();
  await expect(sources.locator('tbody tr[data-source-type="transaction_maintenance"]')).toBeVisible();
  await expectAccessible(page);

  const [{ count: before }] = await query<{ count: string }>(
    `SELECT COUNT(*) FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
     JOIN organizations o ON o.id = l.organization_id
     WHERE o.slug = 'default' AND d.source_type = 'transaction_maintenance' AND l.status = 'completed'`,
  );
  await sources
    .locator('tbody tr[data-source-type="transaction_maintenance"]')
    .getByRole('button', { name: /Sync .* now/ })
    .click();
  await expect(page.getByTestId('sync-result')).toContainText('started');
  await expect
    .poll(async () => {
      const [{ count }] = await query<{ count: string }>(
        `SELECT COUNT(*) FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
         JOIN organizations o ON o.id = l.organization_id
         WHERE o.slug = 'default' AND d.source_type = 'transaction_maintenance' AND l.status = 'completed'`,
      );
      return Number(count);
    }, { timeout: 30_000 })
    .toBeGreaterThan(Number(before));

  await page.reload();
  await sources.locator('tbody tr[data-source-type="transaction_maintenance"]').getByRole('link', { name: /Runs of/ }).click();
  await expect(page).toHaveURL(/source=/);
  const runs = page.getByTestId('sync-runs').locator('tbody tr');
  await expect(runs.first()).toHaveAttribute('data-status', 'completed');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/data-sources.png', fullPage: true });
});

test('a manager is refused the data sources page', async ({ page }) => {
  await page.goto('/sign-in');
  await signIn(page, 'manager');
  await expect(page).toHaveURL(/\/$/);
  const response = await page.goto('/admin/data-sources');
  expect(response?.status()).toBe(403);
});
