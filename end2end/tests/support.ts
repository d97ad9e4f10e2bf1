// What the browser tests share: the database's truth, number formatting as the
// pages show it, and an accessibility check.
import { Browser, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { Client } from 'pg';
import { STORAGE_STATE } from '../global-setup';

/** The e2e admin's session, which global-setup.ts signs in once. */
export { STORAGE_STATE };

export async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The demo organization's id, as SQL (the browser tests' data lives there). */
export const DEFAULT_ORG = `(SELECT id FROM organizations WHERE slug = 'default')`;

/** The month the overview's top earners are of, and its top earner, from the ledger. */
export async function topEarner() {
  const [row] = await query<{ period: string; ma_ctv: string; total: number }>(
    `SELECT to_char(period, 'YYYY-MM') AS period, ma_ctv, SUM(amount)::float8 AS total FROM commissions
     WHERE organization_id = ${DEFAULT_ORG}
       AND period = (SELECT MAX(period) FROM commissions WHERE organization_id = ${DEFAULT_ORG}
                     AND period <= date_trunc('month', CURRENT_DATE)::date)
     GROUP BY period, ma_ctv ORDER BY SUM(amount) DESC, ma_ctv LIMIT 1`);
  return row;
}

/** `214504` → `214,504`, as the pages group thousands. */
export const grouped = (n: number) => n.toLocaleString('en-US');

/** axe-core's WCAG 2 A and AA rules find nothing on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found).toEqual([]);
}

/** The password scripts/test.sh gave every e2e account. */
export const password = process.env.E2E_PASSWORD ?? '';

/** Signs in on the form the page shows, as the e2e account of `role`. */
export async function signIn(page: Page, role: string, with_: string = password) {
  await page.getByLabel('Email').fill(`e2e-${role}@ut360.test`);
  await page.getByLabel('Password').fill(with_);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Waits until the wasm has hydrated the page and its first requests are answered, so
 * controls that need it answer a click. The network falling idle alone is no sign of it:
 * on a busy machine the downloaded wasm can still be compiling, and a box checked then is
 * checked in the page but not in its state.
 */
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
}

/** A page as both languages must show it (issue 26). */
export interface PageInBothLanguages {
  /** Names the screenshots, which are committed: `test-results/pages/<name>-<lang>-<width>.png`. */
  name: string;
  path: string;
  /** Words the page shows in that language, and so must not show in the other. */
  vi: string[];
  en: string[];
  /** Elements whose figures read the same in both languages once separators are dropped. */
  figures?: string[];
  /** The role whose session opens the page (admin by default). */
  role?: string;
  /** False for the pages the server answers without the app's script (an unknown address). */
  hydrates?: boolean;
}

const digits = (text: string) => text.replace(/[^0-9]/g, '');

/**
 * Opens `spec.path` in a browser asking for Vietnamese, then for English: `<html lang>`,
 * the language's words present and the other language's absent, the same figures,
 * axe-core clean, no hydration error, nothing wider than the screen at 390 px, and a
 * screenshot at 1280 and at 390 px in each language.
 */
export async function expectInBothLanguages(browser: Browser, spec: PageInBothLanguages) {
  const figures: Record<string, string[]> = {};
  for (const [lang, locale] of [['vi', 'vi-VN'], ['en', 'en-US']] as const) {
    const other = lang === 'vi' ? 'en' : 'vi';
    const context = await browser.newContext({
      locale,
      viewport: { width: 1280, height: 900 },
      storageState: spec.role ? { cookies: [], origins: [] } : STORAGE_STATE,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // A page the server answers with 404 (an unknown address) is logged as a failed load.
      const expected404 = spec.hydrates === false && message.text().includes('status of 404');
      if ((message.type() === 'error' && !expected404) || message.text().includes('hydration')) errors.push(message.text());
    });
    if (spec.role) {
      await page.goto(`/sign-in?next=${encodeURIComponent(spec.path)}`);
      await page.locator('#email').fill(`e2e-${spec.role}@ut360.test`);
      await page.locator('#password').fill(password);
      await page.locator('form.sign-in-form button[type="submit"]').click();
      await page.waitForURL((url) => url.pathname !== '/sign-in');
    }
    await page.goto(spec.path);
    if (spec.hydrates !== false) await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    const main = page.locator('main');
    for (const word of spec[lang]) await expect(main, `${spec.path} in ${lang}`).toContainText(word);
    const text = await page.locator('body').innerText();
    for (const word of spec[other]) expect(text, `${spec.path} in ${lang} shows the ${other} word ${JSON.stringify(word)}`).not.toContain(word);
    figures[lang] = [];
    for (const selector of spec.figures ?? []) figures[lang].push(digits(await page.locator(selector).first().innerText()));
    await expectAccessible(page);
    // The first screen at 1280 px (the whole page at 390 px, below): the shots are committed.
    await page.screenshot({ path: `test-results/pages/${spec.name}-${lang}-1280.png` });

    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth), { message: `${spec.path} fits 390 px in ${lang}` })
      .toBeLessThanOrEqual(390);
    await page.screenshot({ path: `test-results/pages/${spec.name}-${lang}-390.png`, fullPage: true });
    expect(errors, `${spec.path} in ${lang}: errors in the browser`).toEqual([]);
    await context.close();
  }
  expect(figures.vi, `${spec.path}: the same figures in both languages`).toEqual(figures.en);
}
