// Sign-in in a real browser: a page asked for while signed out leads to sign-in and
// back; each role sees its sections and is refused the others; sign-out ends it.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, hydrated, query, signIn } from './support';

test.use({ storageState: { cookies: [], origins: [] } });


// Every page the viewer may open, whether or not its group's menu is open.
const sections = (page: Page) =>
  page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { includeHidden: true });

// Opens the group's menu in the header, then the page.
async function openSection(page: Page, group: string, name: string) {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.locator('summary', { hasText: group }).click();
  await nav.getByRole('link', { name }).click();
}

test('signed out, a page leads to sign-in and back; a wrong password is refused without saying why', async ({ page }) => {
  await page.goto('/dashboards?x=1');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboards%3Fx%3D1$/);
  await expect(page.getByRole('heading', { name: 'Sign in to UT360' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sections' })).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/sign-in.png' });

  await signIn(page, 'analyst', 'not the password');
  await expect(page.getByTestId('sign-in-problem')).toHaveText(/do not match an account/);
  await expect(page).toHaveURL(/problem=refused/);

  await signIn(page, 'analyst');
  await expect(page).toHaveURL(/\/dashboards\?x=1$/);
  await expect(page.getByTestId('account')).toContainText('e2e-analyst@ut360.test');
  await expect(page.getByTestId('account')).toContainText('analyst');
});

test('an analyst sees the data sections only and is refused the others', async ({ page }) => {
  await page.goto('/sign-in');
  await signIn(page, 'analyst');
  await expect(page).toHaveURL(/\/$/);
  await expect(sections(page)).toHaveText(['Overview', 'Subscribers', 'Dashboards', 'Insights', 'Alerts']);
  await expect(page.getByRole('navigation', { name: 'Sections' }).locator('summary')).toHaveText(['Analysis']);
  await openSection(page, 'Analysis', 'Subscribers');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Subscribers');

  for (const path of ['/commissions', '/campaigns', '/transactions', '/bulk']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('you need the');
  }
  await page.screenshot({ path: 'test-results/forbidden.png' });
  // Refused the export too, though the list is open to them.
  const exported = await page.request.get('/subscribers/export.csv');
  expect(exported.status()).toBe(403);
});

test('marketing gets campaigns and exports; a manager gets commissions and transactions; sign-out ends the session', async ({ page }) => {
  await page.goto('/sign-in');
  await signIn(page, 'marketing');
  await expect(sections(page)).toHaveText([
    'Overview', 'Subscribers', 'Dashboards', 'Insights', 'Alerts', 'Campaigns', 'Bulk lookup', 'Funnels',
  ]);
  expect((await page.request.get('/subscribers/export.csv?columns=isdn')).status()).toBe(200);
  expect((await page.goto('/commissions'))?.status()).toBe(403);

  await page.goto('/');
  await page.getByLabel('Your account').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?problem=signed-out/);
  await expect(page.getByText('You are signed out.')).toBeVisible();
  await page.goto('/campaigns');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcampaigns/);

  await signIn(page, 'manager');
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(sections(page)).toHaveText([
    'Overview', 'Subscribers', 'Dashboards', 'Transactions', 'Insights', 'Alerts', 'Cohorts',
    'Campaigns', 'Bulk lookup', 'Funnels', 'Network', 'Commissions', 'Customers',
  ]);
  await expect(page.getByRole('navigation', { name: 'Sections' }).locator('summary')).toHaveText([
    'Analysis', 'Marketing', 'Network',
  ]);
  await openSection(page, 'Network', 'Commissions');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Commission');
  await page.screenshot({ path: 'test-results/signed-in-manager.png' });
});

test('an admin invites someone new, whose one-time code is shown once, and creates and revokes an API key', async ({ page }) => {
  await page.goto('/sign-in?next=%2Fadmin%2Fmembers');
  await signIn(page, 'admin');
  await expect(page).toHaveURL(/\/admin\/members$/);
  await hydrated(page);
  const email = `e2e-new-${Date.now()}@ut360.test`;
  await page.getByLabel('Email').fill(email);
  await page.locator('select[name="role"]').selectOption('marketing');
  await page.getByRole('button', { name: 'Invite or change role' }).click();
  await expect(page.getByTestId('one-time-code')).toHaveText(/^[A-Za-z0-9]{16}$/);
  await expect(page.getByTestId('pending-invitations').locator(`tr[data-email="${email}"]`)).toContainText('marketing');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/admin-members.png' });

  await page.goto('/admin/api-keys');
  await hydrated(page);
  const name = `e2e-key-${Date.now()}`;
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = (await page.getByTestId('new-key').textContent()) ?? '';
  expect(secret).toMatch(/^ut360_/);
  const stats = await page.request.get('/api/v1/stats', { headers: { Authorization: `Bearer ${secret}` } });
  expect(stats.status()).toBe(200);
  const row = page.getByTestId('api-keys').locator(`tr[data-key="${name}"]`);
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');

  await page.goto('/admin/organization');
  await hydrated(page);
  const [organization] = await query<{ name: string }>("SELECT name FROM organizations WHERE slug = 'default'");
  await expect(page.getByTestId('organization-name')).toHaveText(organization.name);
  const renamed = `UT360 e2e ${Date.now()}`;
  await page.getByLabel('New name').fill(renamed);
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('organization-name')).toHaveText(renamed);
  const [stored] = await query<{ name: string }>("SELECT name FROM organizations WHERE slug = 'default'");
  expect(stored.name).toBe(renamed);
  await expectAccessible(page);
});
