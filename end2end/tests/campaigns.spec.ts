import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { expectAccessible, grouped, hydrated, query } from './support';

// Names of this run's own, so a rerun against the same database does not collide.
const run = Date.now().toString(36);

const count = async (where: string) =>
  Number((await query<{ n: string }>(`SELECT COUNT(*) AS n FROM recommendations WHERE ${where}`))[0].n);

const top = async (where: string, limit: number) =>
  (await query<{ isdn: string }>(
    `SELECT isdn FROM recommendations WHERE ${where} ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC LIMIT ${limit}`,
  )).map((r) => r.isdn);

const campaignCount = (page: Page) => page.getByTestId('campaign-count');

test('rules change the live count and preview; a saved campaign exports and is recorded', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/campaigns');
  // A box checked before hydration stays out of the rules: wait until the page's code runs.
  await hydrated(page);
  // Seed 002's template: LOW risk, value >= 70, readiness >= 80, top 10,000.
  const template = "bad_debt_risk = 'LOW' AND customer_value_score >= 70 AND advance_readiness_score >= 80";
  await expect(campaignCount(page)).toHaveText(grouped(Math.min(10_000, await count(template))));
  await expect(page.getByLabel('Top N by priority')).toHaveValue('10000');
  await page.screenshot({ path: 'test-results/campaigns.png', fullPage: true });

  // A second risk level and PRE only: the count follows without a reload.
  await page.getByRole('group', { name: 'Risk' }).getByLabel('Medium', { exact: true }).check();
  await page.getByRole('group', { name: 'PRE / POS' }).getByLabel('Prepaid', { exact: true }).check();
  await page.getByLabel('Top N by priority').fill('');
  const wider = "bad_debt_risk IN ('LOW', 'MEDIUM') AND subscriber_type = 'PRE' AND customer_value_score >= 70 AND advance_readiness_score >= 80";
  await expect(campaignCount(page)).toHaveText(grouped(await count(wider)));
  await page.getByLabel('Smallest advance (₫)').fill('30000');
  const ranged = `${wider} AND advance_amount >= 30000`;
  await expect(campaignCount(page)).toHaveText(grouped(await count(ranged)));

  // Top 40: the preview shows exactly SQL's top 40 by priority.
  await page.getByLabel('Top N by priority').fill('40');
  await expect(campaignCount(page)).toHaveText('40');
  const preview = page.getByTestId('campaign-preview').locator('tbody tr');
  await expect(preview).toHaveCount(40);
  const expected = await top(ranged, 40);
  expect(await preview.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-isdn')))).toEqual(expected);

  // Save; the export panel appears with the campaign's address.
  const name = `Weekly ${run}`;
  await page.getByLabel('Campaign name').fill(name);
  await page.getByLabel('Owner').fill('Lan (marketing)');
  await page.getByRole('button', { name: 'Save campaign' }).click();
  await expect(page).toHaveURL(/\/campaigns\?id=[0-9a-f-]{36}$/);
  await expect(page.getByTestId('saved-campaigns')).toContainText(name);
  await expect(page.getByTestId('export-history-empty')).toBeVisible();

  // Three columns only, then the CSV download.
  const columns = page.getByRole('group', { name: 'Columns' });
  for (const label of ['PRE/POS', 'Revenue per advance (₫)', 'Cluster', 'ARPU, 6-month average (₫)', 'ARPU growth (%)',
    'ARPU trend', 'Customer value', 'Advance readiness', 'Recommendation date', 'Service', 'Advance (₫)']) {
    await columns.getByLabel(label, { exact: true }).uncheck();
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^weekly-${run}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const text = readFileSync((await download.path())!, 'utf8');
  expect(text.startsWith('\ufeff'), 'a BOM for Excel').toBe(true);
  const lines = text.slice(1).trim().split('\n');
  expect(lines[0]).toBe('isdn,bad_debt_risk,priority');
  expect(lines.slice(1).map((line) => line.split(',')[0].replace(/^'/, ''))).toEqual(expected);

  // The history shows it, recorded with its row count.
  const history = page.getByTestId('export-history').locator('tbody tr');
  await expect(history).toHaveCount(1, { timeout: 10_000 });
  await expect(history.first()).toContainText('CSV');
  await expect(history.first()).toContainText('40');
  await expect(history.first()).toContainText('complete');
  await page.screenshot({ path: 'test-results/campaign-saved.png', fullPage: true });
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('a new campaign leaves out an earlier campaign\'s members and an uploaded list', async ({ page }) => {
  // The demo data has no HIGH risk (seed 002's split is LOW and MEDIUM), so MEDIUM it is.
  const rules = "bad_debt_risk = 'MEDIUM'";
  const mediumRisk = await count(rules);
  // An earlier campaign of the top 30 MEDIUM-risk subscribers, exported.
  await page.goto('/campaigns');
  await hydrated(page);
  await page.getByRole('button', { name: 'Seed 002 template' }).click();
  await page.getByRole('group', { name: 'Risk' }).getByLabel('Low', { exact: true }).uncheck();
  await page.getByRole('group', { name: 'Risk' }).getByLabel('Medium', { exact: true }).check();
  await page.getByLabel('Min. customer value').fill('');
  await page.getByLabel('Min. advance readiness').fill('');
  await page.getByLabel('Top N by priority').fill('30');
  await expect(campaignCount(page)).toHaveText('30');
  const earlier = `Medium risk ${run}`;
  await page.getByLabel('Campaign name').fill(earlier);
  await page.getByLabel('Owner').fill('Minh');
  await page.getByRole('button', { name: 'Save campaign' }).click();
  await expect(page).toHaveURL(/\?id=/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  await expect(page.getByTestId('export-history').locator('tbody tr')).toHaveCount(1, { timeout: 10_000 });

  // The follow-up: every MEDIUM-risk subscriber but those 30.
  await page.getByRole('button', { name: 'New campaign' }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByRole('button', { name: 'Save campaign' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  // The inputs show the template again, not what the last campaign left in them.
  await expect(page.getByRole('group', { name: 'Risk' }).getByLabel('Low', { exact: true })).toBeChecked();
  await expect(page.getByRole('group', { name: 'Risk' }).getByLabel('Medium', { exact: true })).not.toBeChecked();
  await expect(page.getByLabel('Top N by priority')).toHaveValue('10000');
  await page.getByRole('group', { name: 'Risk' }).getByLabel('Low', { exact: true }).uncheck();
  await page.getByRole('group', { name: 'Risk' }).getByLabel('Medium', { exact: true }).check();
  await page.getByLabel('Min. customer value').fill('');
  await page.getByLabel('Min. advance readiness').fill('');
  await page.getByLabel('Top N by priority').fill('');
  await expect(campaignCount(page)).toHaveText(grouped(mediumRisk));
  await page.getByRole('group', { name: 'Members of an exported campaign' }).getByLabel(earlier).check();
  await expect(campaignCount(page)).toHaveText(grouped(mediumRisk - 30));
  const firstThirty = await top(rules, 30);
  const shown = await page.getByTestId('campaign-preview').locator('tbody tr').first().getAttribute('data-isdn');
  expect(firstThirty).not.toContain(shown);

  // An uploaded file of 5 more to leave out: read into the box, saved, ticked.
  const optOuts = (await top(rules, 35)).slice(30);
  await page.getByText('Upload a list to leave out').click();
  await page.getByLabel('List name').fill(`Opt-outs ${run}`);
  await page.getByLabel('…or read them from a file').setInputFiles({
    name: 'opt-outs.csv', mimeType: 'text/csv', buffer: Buffer.from(['msisdn', ...optOuts].join('\n')),
  });
  await expect(page.getByLabel('ISDNs, one per line')).toHaveValue(['msisdn', ...optOuts].join('\n'));
  await page.getByRole('button', { name: 'Upload list' }).click();
  await expect(page.getByRole('form', { name: 'Upload a suppression list' }).getByRole('status'))
    .toContainText('5 ISDNs, left out of this campaign');
  // The earlier campaign's "Saved …" went with it.
  await expect(page.getByText(`Saved "${earlier}"`)).toHaveCount(0);
  await expect(campaignCount(page)).toHaveText(grouped(mediumRisk - 35));
  await expect(page.getByRole('group', { name: 'Uploaded lists' }).getByLabel(`Opt-outs ${run} (5)`)).toBeChecked();
});

test('the rules wait for the page\'s code: disabled as the server sends them, enabled once hydrated', async ({ page, browser }) => {
  // Without the page's code a ticked box would count for nothing: the server sends the
  // rules disabled, so nothing can be ticked before hydration.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const bare = await context.newPage();
  await bare.goto('/campaigns');
  await expect(bare.getByTestId('campaign-rules')).toHaveAttribute('disabled', '');
  await expect(bare.getByRole('group', { name: 'Risk' }).getByLabel('Medium', { exact: true })).toBeDisabled();
  await expect(bare.getByLabel('Top N by priority')).toBeDisabled();
  await context.close();

  await page.goto('/campaigns');
  await hydrated(page);
  await expect(page.getByTestId('campaign-rules')).not.toHaveAttribute('disabled');
  await expect(page.getByRole('group', { name: 'Risk' }).getByLabel('Medium', { exact: true })).toBeEnabled();
});

test('bad rules are named and nothing is counted', async ({ page }) => {
  await page.goto('/campaigns');
  // Typed before hydration, a value would be lost: wait until the page's code is running.
  await hydrated(page);
  await page.getByLabel('Min. customer value').fill('150');
  await expect(page.getByTestId('rules-error')).toContainText('Minimum customer value: 150 is outside 0 to 100');
  await page.getByLabel('Min. customer value').fill('70');
  await page.getByLabel('Smallest advance (₫)').fill('50000');
  await page.getByLabel('Largest advance (₫)').fill('10000');
  await expect(page.getByTestId('rules-error')).toContainText('Largest advance');
  await page.getByLabel('Campaign name').fill(`Broken ${run}`);
  await page.getByLabel('Owner').fill('Minh');
  await page.getByRole('button', { name: 'Save campaign' }).click();
  await expect(page.getByTestId('save-error')).toContainText('Largest advance');
  expect(await query(`SELECT 1 FROM campaigns WHERE name = $1`, [`Broken ${run}`])).toEqual([]);
});
