// Alerts (issue 24): open alerts with their acknowledgement (who and when), the
// history, and the rules: a manager adds one, changes its threshold, turns it off and
// deletes it; an analyst reads the rules only.
import { test, expect } from '@playwright/test';
import { expectAccessible, query, signIn } from './support';

test.use({ storageState: { cookies: [], origins: [] } });


const message = 'E2E cảnh báo kiểm thử';

test.beforeAll(async () => {
  await query(`DELETE FROM performance_alerts WHERE message = $1`, [message]);
  await query(`DELETE FROM performance_alert_rules WHERE metric = 'latency_p99_ms' AND channel = 'lookups'`);
  await query(
    `INSERT INTO performance_alerts (organization_id, alert_type, channel, metric, current_value, threshold_value,
                                     threshold_type, message)
     SELECT id, 'threshold_breach', 'web', 'sign_ins', 3, 10, 'below', $1 FROM organizations WHERE slug = 'default'`,
    [message],
  );
});

test.afterAll(async () => {
  await query(`DELETE FROM performance_alerts WHERE message = $1`, [message]);
  await query(`DELETE FROM performance_alert_rules WHERE metric = 'latency_p99_ms' AND channel = 'lookups'`);
});

test('a manager acknowledges an alert and edits a rule', async ({ page }) => {
  await page.goto('/sign-in?next=%2Falerts');
  await signIn(page, 'manager');
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();

  const alert = page.getByTestId('active-alerts').locator('tbody tr', { hasText: message });
  await alert.getByTestId('acknowledge').click();
  await expect(alert.getByTestId('acknowledged')).toContainText('Acknowledged by e2e-manager@ut360.test');

  // Add a rule.
  await page.getByLabel('Channel').selectOption('lookups');
  await page.getByLabel('Metric').fill('latency_p99_ms');
  await page.getByLabel('Reads').selectOption('hour');
  await page.getByLabel('Alert when').selectOption('above');
  await page.getByLabel('Threshold', { exact: true }).fill('5');
  await page.getByTestId('add-rule').click();
  const rule = page.getByTestId('alert-rules').locator('tbody tr', { hasText: 'lookups / latency_p99_ms' });
  await expect(rule).toContainText('above 5');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/alerts.png', fullPage: true });

  // Change its threshold, turn it off, delete it.
  await rule.getByLabel('New threshold of lookups / latency_p99_ms').fill('7.5');
  await rule.getByTestId('change-threshold').click();
  await expect(rule).toContainText('above 7.5');
  await rule.getByTestId('toggle-rule').click();
  await expect(rule).toHaveAttribute('data-enabled', 'false');
  const [saved] = await query<{ threshold_value: string; enabled: boolean }>(
    `SELECT threshold_value, enabled FROM performance_alert_rules WHERE channel = 'lookups' AND metric = 'latency_p99_ms'`,
  );
  expect(Number(saved.threshold_value)).toBe(7.5);
  expect(saved.enabled).toBe(false);
  await rule.getByTestId('delete-rule').click();
  await expect(rule).toHaveCount(0);
});

test('an analyst reads the rules but cannot edit them', async ({ page }) => {
  await page.goto('/sign-in?next=%2Falerts');
  await signIn(page, 'analyst');
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByTestId('rules-read-only')).toBeVisible();
  await expect(page.getByTestId('add-rule')).toHaveCount(0);
  await expect(page.getByTestId('delete-rule')).toHaveCount(0);
  await expectAccessible(page);
});
