// Issue 25, item 3 in a real browser, as a manager: a served customer cancelled from
// its row, the commission it moved shown and equal to the ledger's reversal; the name
// search (accents optional), several statuses and an appointment range in the URL,
// the list's order kept with them; at 1440 px the table scrolls inside its card.
import { test, expect, Page, Browser } from '@playwright/test';
import { expectAccessible, hydrated, query } from './support';

const password = process.env.E2E_PASSWORD ?? '';

const DEFAULT_ORG = `(SELECT id FROM organizations WHERE slug = 'default')`;

function failOnPageErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function signedInManager(browser: Browser) {
  const context = await browser.newContext({
    storageState: { cookies: [], origins: [] },
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('e2e-manager@ut360.test');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/sign-in/);
  return page;
}

/** `Nguyễn Đức` → `nguyen duc`, as the search folds names. */
const folded = (text: string) =>
  text.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

test('a manager cancels a served customer and sees the commission taken back', async ({ browser }) => {
  const page = await signedInManager(browser);
  const errors = failOnPageErrors(page);
  // A served customer that is still paid (an earlier run cancelled another one).
  const [customer] = await query<{ id: number; sdt: string; net: number }>(
    `SELECT k.id::int, k.sdt, SUM(l.amount)::float8 AS net
     FROM khach_hang k JOIN commissions l ON l.organization_id = k.organization_id AND l.khach_hang_id = k.id
     WHERE k.organization_id = ${DEFAULT_ORG} AND k.trang_thai = 'Da den lam'
     GROUP BY k.id, k.sdt HAVING SUM(l.amount) > 0 ORDER BY k.id DESC LIMIT 1`);
  expect(customer).toBeDefined();

  await page.goto(`/customers?phone=${customer.sdt}`);
  await hydrated(page);
  const row = page.getByTestId('phone-customers').locator(`tr[data-customer="${customer.id}"]`);
  // The stored word in the attribute, shown to people in their language (English here).
  await expect(row.locator('td[data-status]')).toHaveAttribute('data-status', 'Da den lam');
  await expect(row.locator('td[data-status]')).toHaveText('Served');
  // A served customer can only be cancelled.
  const control = row.getByLabel(`New status of customer #${customer.id}`);
  await expect(control.locator('option')).toHaveText(['Cancelled']);
  await control.selectOption('Huy');
  await row.getByRole('button', { name: 'Change' }).click();

  const result = page.getByTestId('status-change-result');
  await expect(result).toContainText(`Customer #${customer.id}`);
  // The statuses as people read them (English here); the stored words stay in the database.
  await expect(result).toContainText("'Served' → 'Cancelled'");
  await expect(result).toContainText('reversed in');
  await expect(row.locator('td[data-status]')).toHaveAttribute('data-status', 'Huy');
  await expect(row.locator('td[data-status]')).toHaveText('Cancelled');
  await expect(row).toContainText('final');

  // The ledger: the customer's lines now sum to nothing, and the reversal is what was paid.
  const [ledger] = await query<{ net: number; reversed: number; period: string }>(
    `SELECT SUM(amount)::float8 AS net,
            SUM(amount) FILTER (WHERE kind = 'reversal' AND created_at = (SELECT MAX(created_at) FROM commissions WHERE khach_hang_id = $1))::float8 AS reversed,
            to_char(MAX(period), 'YYYY-MM') AS period
     FROM commissions WHERE khach_hang_id = $1`, [customer.id]);
  expect(ledger.net).toBeCloseTo(0, 2);
  expect(ledger.reversed).toBeCloseTo(-customer.net, 2);
  const shown = -Math.round(customer.net);
  await expect(result).toContainText(`commission -${Math.round(customer.net).toLocaleString('en-US')} ₫`);
  await expect(result).toContainText(`reversed in ${ledger.period}`);
  expect(shown).toBeLessThan(0);
  await page.screenshot({ path: 'test-results/customer-status.png', fullPage: true });
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('name search, several statuses and an appointment range live in the URL and equal SQL', async ({ browser }) => {
  const page = await signedInManager(browser);
  const errors = failOnPageErrors(page);
  // A range that holds customers of both statuses, from the data itself.
  const [range] = await query<{ from: string; until: string }>(
    `SELECT to_char(MIN(ngay_hen_lam), 'YYYY-MM-DD') AS from, to_char(MIN(ngay_hen_lam) + 60, 'YYYY-MM-DD') AS until
     FROM khach_hang WHERE organization_id = ${DEFAULT_ORG} AND trang_thai IN ('Da coc', 'Da hen')`);

  await page.goto('/customers');
  await hydrated(page);
  const filters = page.getByRole('form', { name: 'Customer filters' });
  await filters.getByLabel('Name').fill('nguyen');
  await filters.getByLabel('Status').selectOption(['Da coc', 'Da hen']);
  await filters.getByLabel('Appointment from').fill(range.from);
  await filters.getByLabel('Appointment until').fill(range.until);
  await filters.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=nguyen/);
  await expect(page).toHaveURL(/status=Da(\+|%20)coc/);
  await expect(page).toHaveURL(/status=Da(\+|%20)hen/);
  await expect(page).toHaveURL(new RegExp(`appointment_from=${range.from}`));

  const expected = await query<{ id: number }>(
    `SELECT id::int FROM khach_hang
     WHERE organization_id = ${DEFAULT_ORG} AND trang_thai IN ('Da coc', 'Da hen')
       AND ngay_hen_lam BETWEEN $1 AND $2 AND (' ' || customer_name_key(ten_khach)) LIKE '% nguyen%'
     ORDER BY id DESC LIMIT 200`, [range.from, range.until]);
  expect(expected.length).toBeGreaterThan(0);
  const list = page.getByTestId('customer-list');
  await expect(list.locator('tbody tr').first()).toHaveAttribute('data-customer', String(expected[0].id));
  const ids = await list.locator('tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-customer'))));
  expect(ids).toEqual(expected.map((row) => row.id));
  const names = await list.locator('tbody tr td:nth-child(2)').allTextContents();
  expect(names.every((name) => folded(name).includes('nguyen'))).toBe(true);
  expect(names.some((name) => name.includes('Nguyễn'))).toBe(true);
  const statuses = await list.locator('tbody tr td[data-status]').evaluateAll((cells) =>
    cells.map((cell) => cell.getAttribute('data-status')));
  expect(new Set(statuses).size).toBeLessThanOrEqual(2);
  statuses.forEach((status) => expect(['Da coc', 'Da hen']).toContain(status));

  // Sorting by appointment keeps the filters; opening the URL again shows the same form.
  await list.getByRole('link', { name: /^Appointment/ }).click();
  await expect(page).toHaveURL(/sort=appointment/);
  await expect(page).toHaveURL(/q=nguyen/);
  // Reloading while the page's code still loads would abort it: let it finish first.
  await page.waitForLoadState('networkidle');
  const dates = await page.getByTestId('customer-list').locator('tbody tr td:nth-child(5)').allTextContents();
  expect(dates).toEqual([...dates].sort().reverse());
  await page.goto(page.url());
  await hydrated(page);
  await expect(filters.getByLabel('Name')).toHaveValue('nguyen');
  const chosen = await filters.getByLabel('Status').evaluate((select: HTMLSelectElement) =>
    Array.from(select.selectedOptions).map((option) => option.value));
  expect(chosen.sort()).toEqual(['Da coc', 'Da hen']);

  // At 1440 px the table scrolls inside its card: no column is cut, none spills over the form.
  const scroller = page.locator('.customer-layout .table-scroll').first();
  const [box, form] = [await scroller.boundingBox(), await page.locator('.new-customer').boundingBox()];
  expect(box!.x + box!.width).toBeLessThanOrEqual(form!.x);
  const lastHeader = page.getByRole('columnheader', { name: 'Change status' });
  await lastHeader.scrollIntoViewIfNeeded();
  await expect(lastHeader).toBeInViewport();
  await page.screenshot({ path: 'test-results/customers-filtered-1440.png', fullPage: true });
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
