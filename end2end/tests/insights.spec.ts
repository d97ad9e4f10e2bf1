// Insights (issue 24): the feed shows an organization's insights most severe first,
// unread first, in Vietnamese with their figures, actions and link; the kind filter
// narrows it; marking one read is a POST that changes only its read mark.
import { test, expect } from '@playwright/test';
import { expectAccessible, query, signIn } from './support';

test.use({ storageState: { cookies: [], origins: [] } });


const keys = ['e2e:critical', 'e2e:low'];

test.beforeAll(async () => {
  await query(`DELETE FROM ai_insights WHERE insight_key = ANY($1)`, [keys]);
  // Written as the owner, as the database's functions do.
  await query(
    `INSERT INTO ai_insights (organization_id, insight_type, insight_key, insight_date, title, description, title_en,
                              description_en, severity, confidence_score, data_points, recommendations, expires_at)
     SELECT o.id, v.kind, v.key, CURRENT_DATE, v.title, 'Mô tả kiểm thử', v.title_en, 'E2E description', v.severity, 0.9,
            v.points::jsonb, '[{"vi": "Kiểm tra đại lý", "en": "Check the merchant"}]', NOW() + INTERVAL '1 day'
     FROM organizations o,
          (VALUES ('anomaly', 'e2e:critical', 'E2E bất thường nghiêm trọng', 'E2E critical anomaly', 'critical',
                   '{"segment": "merchant", "code": "E2E", "metric": "volume", "day": "2026-12-01", "window_from": "2026-11-03", "z_score": 9.1}'),
                  ('trend', 'e2e:low', 'E2E xu hướng nhẹ', 'E2E mild trend', 'low', '{"service": "MBFG", "cluster": 1}'))
            v(kind, key, title, title_en, severity, points)
     WHERE o.slug = 'default'`,
  );
});

test.afterAll(async () => {
  await query(`DELETE FROM ai_insights WHERE insight_key = ANY($1)`, [keys]);
});

test('an analyst reads the feed, filters it and marks an insight read', async ({ page }) => {
  await page.goto('/sign-in?next=%2Finsights');
  await signIn(page, 'analyst');
  await expect(page).toHaveURL(/\/insights$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Insights' })).toBeVisible();

  const feed = page.getByTestId('insights');
  // The page's language (English here) chooses which of the insight's texts shows.
  const critical = feed.locator('li.insight', { hasText: 'E2E critical anomaly' });
  await expect(critical).toBeVisible();
  // Most severe first.
  await expect(feed.locator('li.insight').first()).toHaveAttribute('data-severity', 'critical');
  await expect(critical).toContainText('Check the merchant');
  await expect(critical).not.toContainText('Kiểm tra đại lý');
  // The stored figure `z_score`, named as the page names it.
  await expect(critical).toContainText('z-score');
  await expect(critical.getByTestId('insight-link')).toHaveAttribute('href', /\/transactions\?range=custom.*merchant=E2E/);
  await expect(critical.getByTestId('insight-link')).toHaveText("The merchant's transactions");
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/insights.png', fullPage: true });

  // Mark as read: only the read mark changes.
  const [before] = await query<{ row: Record<string, unknown> }>(
    `SELECT to_jsonb(i) - 'is_read' - 'updated_at' AS row FROM ai_insights i WHERE insight_key = 'e2e:critical'`,
  );
  await critical.getByTestId('mark-read').click();
  await expect(critical.getByTestId('insight-read')).toBeVisible();
  const [after] = await query<{ row: Record<string, unknown>; is_read: boolean }>(
    `SELECT to_jsonb(i) - 'is_read' - 'updated_at' AS row, is_read FROM ai_insights i WHERE insight_key = 'e2e:critical'`,
  );
  expect(after.is_read).toBe(true);
  expect(after.row).toEqual(before.row);

  // The kind filter.
  await page.getByLabel('Kind').selectOption('trend');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/kind=trend/);
  await expect(feed.locator('li.insight:not([data-kind="trend"])')).toHaveCount(0);
  const trend = feed.locator('li.insight', { hasText: 'E2E mild trend' });
  await expect(trend.getByTestId('insight-link')).toHaveAttribute('href', /\/subscribers\?service=MBFG&cluster=1&trend=/);
  await expect(trend.getByTestId('insight-link')).toHaveText('Subscribers of the segment with declining ARPU');
  await expectAccessible(page);
});
