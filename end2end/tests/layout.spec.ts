// The header at the widths people use (issue 26): one line at 1280 px with every section
// an admin may open; below 768 px the sections fold behind "Menu", and nothing is wider
// than a 390 px phone.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, hydrated } from './support';

/** The top of every item of the header, in px: one line when they are all alike. */
async function headerLines(page: Page): Promise<number> {
  const tops = await page.locator('header.topbar > :visible').evaluateAll((items) =>
    items.map((item) => Math.round(item.getBoundingClientRect().top)),
  );
  return new Set(tops.map((top) => Math.round(top / 12))).size;
}

test('at 1280 px the admin header is one line, and a group opens its pages', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await expect(nav.locator('summary')).toHaveText(['Analysis', 'Marketing', 'Network', 'Administration']);
  expect(await headerLines(page)).toBe(1);
  // One line that also fits: the e2e organization's long name is cut short, not the page widened.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  const switcher = (await page.locator('header.topbar .language-switcher').boundingBox())!;
  expect(switcher.height).toBeLessThan(30);
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();

  await nav.locator('summary', { hasText: 'Administration' }).click();
  await expect(nav.getByRole('link', { name: 'Security events' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/header-1280.png' });
  await nav.getByRole('link', { name: 'Security events' }).click();
  await expect(page).toHaveURL(/\/admin\/security-events$/);
  // The group of the page being read is marked, and the menu closed on the way.
  await expect(nav.locator('summary.current')).toHaveText('Administration');
  await expect(nav.getByRole('link', { name: 'Security events' })).toBeHidden();
});

test('at 390 px the sections fold behind Menu and the overview fits the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Sections' });
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: 'test-results/overview-390.png', fullPage: true });

  // The Menu button is the page's script: it answers once the page has hydrated.
  await hydrated(page);
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();
  await nav.locator('summary', { hasText: 'Analysis' }).click();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/menu-390.png' });
  await nav.getByRole('link', { name: 'Dashboards' }).click();
  await expect(page).toHaveURL(/\/dashboards$/);
  await expect(nav).toBeHidden();
});
