// What the browser tests share: the database's truth, number formatting as the
// pages show it, and an accessibility check.
import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { Client } from 'pg';

export async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
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

/** Waits until the wasm has hydrated the page, so controls that need it answer a click. */
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}
