// The UI in Vietnamese and in English: the language a browser asks for, the switcher in
// the header (one click, signed in or not), <html lang>, and numbers as each language
// writes them. Screenshots of each translated page in both languages.
import { test, expect, Browser, Page } from '@playwright/test';
import { query } from './support';

const ANALYST = 'e2e-analyst@ut360.test';

async function signIn(page: Page, email: string) {
  await page.goto('/sign-in');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(process.env.E2E_PASSWORD ?? '');
  await page.locator('form.sign-in-form button[type="submit"]').click();
  await expect(page).toHaveURL(/\/$/);
}

/** A browser of its own, asking for `locale`, signed out. */
async function browserIn(browser: Browser, locale: string) {
  const context = await browser.newContext({ locale, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Each error names the document it came from: a rare run has seen a page's inline
  // scripts refused by a policy without the page's nonce, and which page is the clue.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.text().includes('hydration')) {
      errors.push(`${message.text()} (on ${message.location().url || page.url()})`);
    }
  });
  return { context, page, errors };
}

/** The total subscribers as the database has them. */
async function totalSubscribers() {
  const [{ n }] = await query<{ n: number }>('SELECT COUNT(*)::int AS n FROM recommendations');
  return n;
}

test.afterAll(async () => {
  // The switcher saved a setting for the analyst: the other tests expect none.
  await query('UPDATE users SET language = NULL WHERE email = $1', [ANALYST]);
});

test('a browser asking for Vietnamese gets Vietnamese, an English one English, the same figures', async ({ browser }) => {
  const total = await totalSubscribers();
  for (const [locale, lang, words, absent, grouped] of [
    ['vi-VN', 'vi', { overview: 'Tổng quan', dashboards: 'Bảng điều khiển', subscribers: 'Thuê bao', signOut: 'Đăng xuất' },
      ['Overview', 'Sign out', 'Dashboards'], total.toLocaleString('vi-VN')],
    ['en-US', 'en', { overview: 'Overview', dashboards: 'Dashboards', subscribers: 'Subscribers', signOut: 'Sign out' },
      ['Tổng quan', 'Đăng xuất', 'Bảng điều khiển'], total.toLocaleString('en-US')],
  ] as const) {
    const { context, page, errors } = await browserIn(browser, locale);
    await page.goto('/sign-in');
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await page.screenshot({ path: `test-results/language-sign-in-${lang}.png` });
    await signIn(page, ANALYST);

    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.overview);
    // 214.504 in Vietnamese, 214,504 in English: the same figure.
    await expect(page.locator('[data-testid="total_subscribers"] .stat-value')).toHaveText(grouped);
    await expect(page.locator('[data-testid="avg_advance_amount"] .stat-value')).toHaveText(/^\d{1,3}([.,]\d{3})* ₫$/);
    const header = page.locator('header.topbar');
    // The header's words are all of one language (its menus' hidden links too).
    for (const word of absent) {
      await expect(header).not.toContainText(word);
    }
    const accountMenu = header.locator('details.account-menu');
    await accountMenu.locator('summary').click();
    await expect(header.getByRole('button', { name: words.signOut })).toBeVisible();
    await accountMenu.locator('summary').click();
    await page.screenshot({ path: `test-results/language-overview-${lang}.png`, fullPage: true });

    await page.goto('/dashboards');
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.dashboards);
    await expect(page.getByTestId('service-table').locator('thead')).toContainText(words.subscribers);
    await page.screenshot({ path: `test-results/language-dashboards-${lang}.png`, fullPage: true });

    await page.goto('/account/password');
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await page.screenshot({ path: `test-results/language-password-${lang}.png` });
    // Hydration drew the same words as the server: no mismatch reported.
    expect(errors).toEqual([]);
    await context.close();
  }
});

test('the switcher changes the language in one click, and the member keeps it', async ({ browser }) => {
  // Signed out: the sign-in page's switcher sets the cookie.
  const { context, page, errors } = await browserIn(browser, 'vi-VN');
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng nhập vào UT360');
  await expect(page.getByTestId('language-vi')).toHaveAttribute('aria-current', 'true');
  await page.getByTestId('language-en').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to UT360');

  // Signed in, the cookie's English holds; the header's switcher saves Vietnamese
  // for the member, and the page comes back in it.
  await signIn(page, ANALYST);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByTestId('language-vi').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tổng quan');
  await expect(page.getByTestId('language-vi')).toHaveAttribute('aria-current', 'true');
  await page.screenshot({ path: 'test-results/language-switched-vi.png' });
  expect(errors).toEqual([]);
  await context.close();

  // Another browser asking for English: the member's Vietnamese follows them.
  const elsewhere = await browserIn(browser, 'en-US');
  await signIn(elsewhere.page, ANALYST);
  await expect(elsewhere.page.locator('html')).toHaveAttribute('lang', 'vi');
  await elsewhere.context.close();
});
