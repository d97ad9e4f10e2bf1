// The analysis pages in both languages (issue 26): their words, the same figures,
// 390 px wide, and the charts' axes and tooltips writing numbers as the language does.
import { Browser, expect, Page, test } from '@playwright/test';
import { expectInBothLanguages, hydrated, query, STORAGE_STATE } from './support';

// Seed 001's example subscriber, the first of the demo data.
const ISDN = '++/hZFPrCDRre55vsZqqxQ==';

test('overview in Vietnamese and English', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'overview',
    path: '/',
    vi: ['Tổng quan', 'Khoản ứng trung bình', 'Doanh thu tiềm năng', 'Theo dịch vụ', 'Theo rủi ro'],
    en: ['Overview', 'Average advance', 'Revenue potential', 'By service', 'By risk'],
    figures: ['[data-testid="total_subscribers"] .stat-value', '[data-testid="avg_advance_amount"] .stat-value'],
  });
});

test('dashboards in Vietnamese and English', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'dashboards',
    path: '/dashboards',
    vi: ['Bảng điều khiển', 'Tổng tiền ứng', 'Cơ cấu dịch vụ', 'Thuê bao theo cụm và dịch vụ'],
    en: ['Dashboards', 'Total advance', 'Service mix', 'Subscribers by cluster and service'],
    figures: ['[data-testid="service-table"] tbody td', '[data-testid="cluster-table"] tbody td:nth-child(3)'],
  });
});

test('Customer360 in Vietnamese and English', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'customer360',
    path: `/subscribers/${encodeURIComponent(ISDN)}`,
    vi: ['Thông tin cơ bản', 'Thống kê ARPU', 'Cơ cấu doanh thu', 'Hành vi nạp tiền', 'Đánh giá rủi ro'],
    en: ['Basic', 'ARPU statistics', 'Revenue breakdown', 'Top-up behaviour', 'Risk assessment'],
    figures: ['[data-testid="advance_amount"] .stat-value', '[data-testid="monthly-arpu-table"] tbody td.total'],
  });
});

test('a malformed ISDN is explained in the page\'s language', async ({ browser }) => {
  for (const [locale, says] of [
    ['vi-VN', 'không phải là ISDN: không được dùng \' \''],
    ['en-US', 'is not an ISDN: \' \' is not allowed'],
  ]) {
    const context = await browser.newContext({ locale, storageState: STORAGE_STATE });
    const page = await context.newPage();
    await page.goto('/subscribers/not%20an%20isdn');
    await expect(page.getByTestId('lookup-error')).toContainText(says);
    await context.close();
  }
});

test('a refused list filter is explained in the page\'s language, the field named', async ({ browser }) => {
  for (const [locale, says] of [
    ['vi-VN', 'Giá trị khách hàng tối thiểu: 120 nằm ngoài khoảng 0 đến 100'],
    ['en-US', 'Minimum customer value: 120 is outside 0 to 100'],
  ]) {
    const context = await browser.newContext({ locale, storageState: STORAGE_STATE });
    const page = await context.newPage();
    await page.goto('/subscribers?min_value=120');
    await expect(page.getByTestId('list-error')).toHaveText(says);
    await context.close();
  }
});

test('subscriber list in Vietnamese and English', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'subscriber_list',
    path: '/subscribers',
    vi: ['Xu hướng ARPU', 'Điểm ưu tiên', 'Giá trị khách hàng', 'Trang sau'],
    en: ['ARPU trend', 'Priority score', 'Customer value', 'Next page'],
    figures: ['[data-testid="list-count"]'],
  });
});

test('transactions in Vietnamese and English', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'transactions',
    path: '/transactions?range=year',
    vi: ['Đối tác hàng đầu', 'Hiệu quả thanh toán', 'Hình thức thanh toán', 'Tỷ lệ thành công'],
    en: ['Top merchants', 'Payment performance', 'Payment mode', 'Success rate'],
  });
});

/** Hovers the middle of `chart`'s plot and gives the text of the tooltip ECharts shows. */
async function tooltipOf(page: Page, chart: string, at: { x: number; y: number }): Promise<string> {
  const canvas = page.locator(`#${chart} canvas`).first();
  await expect(canvas).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(1_200); // the entry animation
  const box = (await canvas.boundingBox())!;
  await canvas.hover({ position: { x: box.width * at.x, y: box.height * at.y } });
  // ECharts' tooltip is the chart container's last div, shown on hover.
  const tooltip = page.locator(`#${chart} > div`).last();
  await expect(tooltip).toBeVisible();
  await expect(tooltip).not.toHaveText('');
  return (await tooltip.innerText()).replace(/\s+/g, ' ');
}

async function inLanguage(browser: Browser, locale: string, path: string) {
  const context = await browser.newContext({ locale, storageState: STORAGE_STATE });
  const page = await context.newPage();
  await page.goto(path);
  await hydrated(page);
  return { context, page };
}

test('chart tooltips and axes write numbers as the language does', async ({ browser }) => {
  const [mbfg] = await query<{ n: number }>(
    "SELECT COUNT(*)::int AS n FROM recommendations WHERE service_type = 'MBFG'");
  expect(mbfg.n).toBeGreaterThan(999);
  for (const [locale, separator] of [['vi-VN', '.'], ['en-US', ',']] as const) {
    const expected = mbfg.n.toLocaleString('en-US').replaceAll(',', separator);
    // Dashboards: subscribers by service, a count (MBFG is the middle bar).
    const { context, page } = await inLanguage(browser, locale, '/dashboards');
    const counts = await tooltipOf(page, 'service-chart', { x: 0.5, y: 0.5 });
    expect(counts, `${locale}: the count in the tooltip`).toContain(`MBFG`);
    expect(counts, `${locale}: the count in the tooltip`).toContain(expected);
    expect(counts).not.toContain('₫');
    await page.screenshot({ path: `test-results/pages/chart-tooltip-count-${locale}.png` });

    // Customer360: monthly ARPU in đồng, the same texts as its table.
    await page.goto(`/subscribers/${encodeURIComponent(ISDN)}`);
    await hydrated(page);
    const money = await tooltipOf(page, 'monthly-arpu-chart', { x: 0.6, y: 0.5 });
    const amounts = money.match(/-?[\d.,]+ ₫/g) ?? [];
    expect(amounts.length, `${locale}: amounts in ${money}`).toBeGreaterThan(0);
    const wrong = separator === '.' ? /\d,\d/ : /\d\.\d/;
    for (const amount of amounts) expect(amount, `${locale}: ${money}`).not.toMatch(wrong);
    const table = (await page.locator('[data-testid="monthly-arpu-table"] tbody td').allInnerTexts()).map((t) => t.trim());
    expect(amounts.filter((amount) => table.includes(amount)).length, `${locale}: ${money} vs the table`).toBeGreaterThan(0);
    expect(amounts.some((amount) => amount.includes(separator)), `${locale}: thousands grouped in ${money}`).toBe(true);
    await page.screenshot({ path: `test-results/pages/chart-tooltip-money-${locale}.png` });
    await context.close();
  }
});
