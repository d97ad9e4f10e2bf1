import { test, expect, Page } from '@playwright/test';
import { expectAccessible, grouped, hydrated, query } from './support';
import { readFileSync } from 'fs';

function failOnPageErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('the network tree opens level by level, with team figures and the upline', async ({ page }) => {
  const errors = failOnPageErrors(page);
  // The smallest tree that has grandchildren, and whose top has an introducer.
  const [root] = await query<{ ma_ctv: string; introducer: string }>(
    `SELECT p.ma_ctv, p.nguoi_gioi_thieu AS introducer FROM ctv p
     JOIN ctv c ON c.nguoi_gioi_thieu = p.ma_ctv JOIN ctv g ON g.nguoi_gioi_thieu = c.ma_ctv
     WHERE p.nguoi_gioi_thieu IS NOT NULL
     GROUP BY p.ma_ctv, p.nguoi_gioi_thieu ORDER BY COUNT(*), p.ma_ctv LIMIT 1`);
  const [{ team }] = await query<{ team: number }>(
    `WITH RECURSIVE t AS (SELECT ma_ctv, 0 AS level FROM ctv WHERE ma_ctv = $1
       UNION ALL SELECT c.ma_ctv, t.level + 1 FROM ctv c JOIN t ON c.nguoi_gioi_thieu = t.ma_ctv WHERE t.level < 4)
     SELECT COUNT(*)::int AS team FROM t`, [root.ma_ctv]);
  const [child] = await query<{ ma_ctv: string; grandchild: string }>(
    `SELECT c.ma_ctv, MIN(g.ma_ctv) AS grandchild FROM ctv c JOIN ctv g ON g.nguoi_gioi_thieu = c.ma_ctv
     WHERE c.nguoi_gioi_thieu = $1 GROUP BY c.ma_ctv ORDER BY c.ma_ctv LIMIT 1`, [root.ma_ctv]);

  await page.goto('/network');
  await page.getByLabel('Code, name or phone').fill(root.ma_ctv);
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByTestId('network-search-results');
  await results.getByRole('link', { name: root.ma_ctv, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`ctv=${root.ma_ctv}`));
  await expect(page.getByTestId('team-size')).toContainText(grouped(team));
  await expect(page.getByTestId('upline')).toContainText(root.introducer);

  // The top is open; its members' teams are closed until opened.
  const tree = page.getByTestId('downline');
  const childItem = tree.locator(`li[data-ctv="${child.ma_ctv}"]`);
  const grandchildItem = tree.locator(`li[data-ctv="${child.grandchild}"]`);
  await expect(childItem).toBeVisible();
  await expect(grandchildItem).toBeHidden();
  await childItem.locator('summary').first().click({ position: { x: 4, y: 8 } });
  await expect(grandchildItem).toBeVisible();
  await childItem.locator('summary').first().click({ position: { x: 4, y: 8 } });
  await expect(grandchildItem).toBeHidden();
  await page.screenshot({ path: 'test-results/network.png', fullPage: true });
  await expectAccessible(page);

  // A member's code re-centres the network on it.
  await childItem.getByRole('link', { name: child.ma_ctv, exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`ctv=${child.ma_ctv}`));
  await expect(page.getByTestId('upline')).toContainText(root.ma_ctv);
  expect(errors).toEqual([]);
});

test('the commission report adds up to its statements, sorts, filters and downloads', async ({ page }) => {
  const errors = failOnPageErrors(page);
  const [month] = await query<{ period: string; paid: number; total: number }>(
    `SELECT to_char(period, 'YYYY-MM') AS period, COUNT(DISTINCT ma_ctv)::int AS paid, SUM(amount)::float8 AS total
     FROM commissions WHERE period = (SELECT MAX(period) FROM commissions) GROUP BY period`);

  await page.goto('/commissions');
  await expect(page.getByTestId('report-count')).toContainText(`${month.period}: ${grouped(month.paid)} collaborators paid`);
  const totals = page.getByTestId('report-totals');
  // Whole đồng in the table; the cents are in the export.
  await expect(totals).toContainText(grouped(Math.round(month.total)));

  // The first row's total is the sum of its statement's lines.
  const firstRow = page.locator('[data-testid="commission-report"] tbody tr').first();
  const code = (await firstRow.getAttribute('data-ctv'))!;
  const rowTotal = Number(await firstRow.locator('td[data-column="total"]').getAttribute('data-value'));
  await firstRow.getByTestId('statement-link').click();
  await expect(page).toHaveURL(new RegExp(`ctv=${code}`));
  const statement = page.getByTestId('statement');
  await expect(statement.getByRole('heading')).toContainText(code);
  const lineAmounts = await statement.locator('[data-testid="statement-lines"] tbody td[data-value]')
    .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
  expect(lineAmounts.length).toBeGreaterThan(0);
  expect(lineAmounts.reduce((a, b) => a + b, 0)).toBeCloseTo(rowTotal, 2);
  expect(Number(await statement.getByTestId('statement-total').getAttribute('data-value'))).toBeCloseTo(rowTotal, 2);
  await page.screenshot({ path: 'test-results/commissions.png', fullPage: true });
  await expectAccessible(page);

  // Sorting by direct commission, smallest first after a second click.
  const directs = () => page.locator('[data-testid="commission-report"] tbody td[data-column="direct"]')
    .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
  await page.getByRole('link', { name: 'Direct', exact: true }).click();
  await expect(page).toHaveURL(/sort=direct/);
  await expect.poll(async () => { const d = await directs(); return d.every((v, i) => i === 0 || d[i - 1] >= v); }).toBe(true);
  await page.getByRole('link', { name: 'Direct', exact: true }).click();
  await expect(page).toHaveURL(/order=asc/);
  await expect.poll(async () => { const d = await directs(); return d.every((v, i) => i === 0 || d[i - 1] <= v); }).toBe(true);

  // Filtering by the code keeps that collaborator only.
  await page.getByLabel('Collaborator code or name').fill(code);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${code}`));
  await expect(page.locator('[data-testid="commission-report"] tbody tr')).toHaveCount(1);

  // The download is the report as filtered, with its figures.
  await page.goto(`/commissions?period=${month.period}`);
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`commissions-${month.period}.csv`);
  const text = readFileSync((await download.path())!, 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const lines = text.slice(1).trim().split('\n');
  expect(lines[0]).toBe('ma_ctv,name,direct,level_1,level_2,level_3,level_4,adjustments,total,lines');
  expect(lines.length - 1).toBe(month.paid);
  // Names hold no commas or quotes in the demo data, so the total is the 9th cell.
  const exportedTotal = lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[8]), 0);
  expect(exportedTotal).toBeCloseTo(month.total, 1);
  expect(errors).toEqual([]);
});

test('a phone lookup says why a number is taken; entering a customer runs the duplicate rule', async ({ page }) => {
  const errors = failOnPageErrors(page);
  const [taken] = await query<{ sdt: string; id: number }>(
    `SELECT sdt, id::int FROM khach_hang WHERE trang_thai = 'Da coc' ORDER BY id LIMIT 1`);
  await page.goto(`/customers?phone=${taken.sdt}`);
  // Typed and sent before hydration, the form would post without the page's code: wait for it.
  await hydrated(page);
  const verdict = page.getByTestId('phone-verdict');
  await expect(verdict).toContainText(`${taken.sdt} is taken`);
  await expect(verdict).toContainText("status is 'Da coc'");
  await expect(page.getByTestId('phone-customers').locator(`tr[data-customer="${taken.id}"]`)).toBeVisible();

  // The form refuses the taken number and says why.
  const form = page.getByRole('region', { name: 'Enter a customer' });
  await form.getByLabel('Name').fill('Phạm Thị Thu');
  await form.getByLabel('Phone').fill(taken.sdt);
  await form.getByRole('button', { name: 'Check and enter' }).click();
  const result = page.getByTestId('entry-result');
  await expect(result).toContainText('Not entered');
  await expect(result).toContainText(`Customer #${taken.id}`);
  await expect(result).toContainText("status is 'Da coc'");

  // A number nobody has is entered, and heads the list.
  const [{ fresh }] = await query<{ fresh: string }>(
    `SELECT '0399' || lpad((floor(random() * 1000000))::int::text, 6, '0') AS fresh`);
  expect((await query(`SELECT 1 FROM khach_hang WHERE sdt = $1`, [fresh])).length).toBe(0);
  await form.getByLabel('Phone').fill(fresh);
  await form.getByLabel('Amount (đồng)').fill('1500000');
  await form.getByRole('button', { name: 'Check and enter' }).click();
  await expect(result).toContainText('Entered customer #');
  await expect(page.getByTestId('customer-list').locator('tbody tr').first()).toContainText(fresh);
  const stored = await query<{ ten_khach: string; so_tien: number }>(
    `SELECT ten_khach, so_tien::float8 FROM khach_hang WHERE sdt = $1`, [fresh]);
  expect(stored).toEqual([{ ten_khach: 'Phạm Thị Thu', so_tien: 1500000 }]);
  await page.screenshot({ path: 'test-results/customers.png', fullPage: true });
  await expectAccessible(page);

  // A malformed phone is named.
  await form.getByLabel('Name').fill('Phạm Thị Thu');
  await form.getByLabel('Phone').fill('0399');
  await form.getByRole('button', { name: 'Check and enter' }).click();
  await expect(result).toContainText('phone');

  // The status filter keeps that status only.
  await page.goto('/customers');
  const filters = page.getByRole('form', { name: 'Customer filters' });
  await filters.getByLabel('Status').selectOption('Huy');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=Huy/);
  const statuses = await page.locator('[data-testid="customer-list"] tbody tr td:nth-child(6)').allTextContents();
  expect(statuses.length).toBeGreaterThan(0);
  expect(new Set(statuses)).toEqual(new Set(['Cancelled'])); // 'Huy' as the English page shows it
  expect(errors).toEqual([]);
});
