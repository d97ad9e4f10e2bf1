import { test, expect, Page } from '@playwright/test';
import { expectAccessible, grouped, hydrated, query } from './support';

// As a paste lands: the whole text at once (Playwright's fill types multi-line text
// line by line, which takes minutes for 10,000 lines).
const paste = (page: Page, text: string) =>
  page.getByLabel(/ISDNs, one per line/).evaluate((area: HTMLTextAreaElement, value) => {
    area.value = value;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);

test('10,000 pasted lines: found, not found, malformed and repeated are counted and listed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const known = (await query<{ isdn: string }>('SELECT isdn FROM recommendations ORDER BY isdn LIMIT 9990')).map((r) => r.isdn);
  const unknown = Array.from({ length: 5 }, (_, i) => `UNKNOWN${i}AAAAAAAAAAAAAA==`);
  const malformed = Array.from({ length: 5 }, (_, i) => `not an isdn ${i}`);
  const lines = ['ISDN', ...known.slice(0, 4000), ...unknown, known[0], known[1], known[2],
    ...malformed, ...known.slice(4000)];

  await page.goto('/bulk');
  // Pasted before hydration, the text would be sent by nobody: wait for the page's code.
  await hydrated(page);
  await paste(page, lines.join('\n'));
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.locator('[data-testid="found"] .stat-value')).toHaveText(grouped(9990), { timeout: 20_000 });
  await expect(page.locator('[data-testid="not-found"] .stat-value')).toHaveText('5');
  await expect(page.locator('[data-testid="malformed"] .stat-value')).toHaveText('5');
  await expect(page.locator('[data-testid="duplicates"] .stat-value')).toHaveText('3');
  expect(await page.getByTestId('not-found-list').locator('li').allTextContents()).toEqual(unknown);
  // Malformed lines by their line number in the pasted text (the header is line 1).
  await expect(page.getByTestId('malformed-list').locator('li').first()).toContainText(`line ${1 + 4000 + 5 + 3 + 1}: "not an isdn 0" is not an ISDN`);

  // Found rows come in the order given, 100 a page.
  const rows = page.locator('[data-testid="found-table"] tbody tr');
  await expect(rows).toHaveCount(100);
  await expect(rows.first()).toHaveAttribute('data-isdn', known[0]);
  await page.getByTestId('found-next').click();
  await expect(rows.first()).toHaveAttribute('data-isdn', known[100]);
  await page.screenshot({ path: 'test-results/bulk.png', fullPage: false });
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('more than 10,000 ISDNs, or none, get a clear message', async ({ page }) => {
  await page.goto('/bulk');
  await hydrated(page);
  // Well-formed ISDNs (8 to 15 digits), so the count is what is refused.
  const tooMany = Array.from({ length: 10_001 }, (_, i) => String(84_900_000_000 + i));
  await paste(page, tooMany.join('\n'));
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('bulk-error')).toContainText('at most 10,000 ISDNs per lookup; this list has 10,001');
  await paste(page, 'isdn\n\n');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('bulk-error')).toContainText('paste at least one ISDN');
});

test('an uploaded CSV file fills the list and is looked up', async ({ page }) => {
  const known = (await query<{ isdn: string }>('SELECT isdn FROM recommendations ORDER BY isdn DESC LIMIT 20')).map((r) => r.isdn);
  const file = ['so_thue_bao;note', ...known.map((isdn) => `${isdn};x`), 'UNKNOWNFILEAAAAAAAAAAA==;y'].join('\r\n');
  await page.goto('/bulk');
  // A file chosen before hydration is read by nobody: wait until the page's code is running.
  await hydrated(page);
  await page.getByLabel(/read them from a file/).setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from('\ufeff' + file) });
  await expect(page.getByLabel(/ISDNs, one per line/)).toHaveValue(new RegExp(`^\\ufeff?so_thue_bao;note`));
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.locator('[data-testid="found"] .stat-value')).toHaveText('20');
  await expect(page.locator('[data-testid="not-found"] .stat-value')).toHaveText('1');
  await expect(page.locator('[data-testid="malformed"] .stat-value')).toHaveText('0');
});
