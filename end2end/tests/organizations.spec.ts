// Issue 23: invitations with consent and the organization switcher. scripts/test.sh
// makes a second organization, "E2E Branch" (no subscribers), with an admin and an
// analyst of its own; the default organization holds the seed-scale demo data.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, grouped, hydrated, query } from './support';

const password = process.env.E2E_PASSWORD ?? '';
const BRANCH = 'E2E Branch';

async function signInAs(page: Page, email: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function invite(page: Page, email: string, role: string) {
  await page.goto('/admin/members');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.locator('select[name="role"]').selectOption(role);
  await page.getByRole('button', { name: 'Invite or change role' }).click();
  await expect(page.getByTestId('member-result')).toContainText(`Invited ${email} as ${role}`);
  await expect(page.getByTestId('one-time-code')).toHaveText(/^[A-Za-z0-9]{16}$/);
  await expect(page.getByTestId('pending-invitations').locator(`tr[data-email="${email}"]`)).toContainText(role);
}

test('an invitation is accepted, then the person switches between organizations and sees each one\'s data', async ({ browser, page }) => {
  const invitee = 'e2e-branch-admin@ut360.test';
  await invite(page, invitee, 'analyst');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/invite-member.png', fullPage: true });
  const [{ name: home }] = await query<{ name: string }>("SELECT name FROM organizations WHERE slug = 'default'");
  const [{ n: total }] = await query<{ n: number }>('SELECT COUNT(*)::int AS n FROM recommendations');

  // The invitee signs in to their own organization and finds the invitation first.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const them = await context.newPage();
  await signInAs(them, invitee);
  await expect(them).toHaveURL(/\/organizations\?next=%2F$/);
  const invitation = them.getByTestId('invitations').locator(`tr[data-organization="${home}"]`);
  await expect(invitation).toContainText('analyst');
  await expect(invitation).toContainText('e2e-admin@ut360.test');
  await expectAccessible(them);
  await them.screenshot({ path: 'test-results/organizations-invitation.png', fullPage: true });
  await invitation.getByRole('button', { name: `Accept ${home}` }).click();

  // A member of both, still working in their own until they switch.
  await expect(them.getByTestId('organizations').locator('tbody tr')).toHaveCount(2);
  await expect(them.getByTestId('organizations').locator('tr[data-slug="e2e-branch"]')).toContainText('current');
  await expect(them.getByTestId('invitations')).toHaveCount(0);
  await them.getByRole('button', { name: `Open ${home}` }).click();
  await expect(them).toHaveURL(/\/$/);
  await expect(them.getByTestId('organization-switcher')).toHaveText(home);
  await expect(them.getByTestId('account')).toContainText('analyst');
  await expect(them.locator('[data-testid="total_subscribers"] .stat-value')).toHaveText(grouped(total));
  await them.screenshot({ path: 'test-results/switched-organization.png' });

  // Back to their own organization from the header: its own (empty) data, as admin.
  await them.getByTestId('organization-switcher').click();
  await expect(them).toHaveURL(/\/organizations$/);
  await them.getByRole('button', { name: `Open ${BRANCH}` }).click();
  await expect(them.getByTestId('organization-switcher')).toHaveText(BRANCH);
  await expect(them.getByTestId('account')).toContainText('admin');
  await expect(them.getByRole('heading', { name: 'No subscribers yet' })).toBeVisible();
  await context.close();
});

test('a declined invitation leaves nothing behind', async ({ browser, page }) => {
  const invitee = 'e2e-branch-analyst@ut360.test';
  await invite(page, invitee, 'marketing');

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const them = await context.newPage();
  await signInAs(them, invitee);
  await expect(them).toHaveURL(/\/organizations\?next=%2F$/);
  await them.getByTestId('invitations').getByRole('button', { name: 'Decline' }).click();
  await expect(them.getByTestId('invitations')).toHaveCount(0);
  await expect(them.getByTestId('organizations').locator('tbody tr')).toHaveCount(1);
  const left = await query<{ n: number }>('SELECT COUNT(*)::int AS n FROM invitations WHERE email = $1', [invitee]);
  expect(left[0].n).toBe(0);
  const memberships = await query<{ slug: string }>(
    `SELECT o.slug FROM organization_members m JOIN users u ON u.id = m.user_id
     JOIN organizations o ON o.id = m.organization_id WHERE u.email = $1`, [invitee]);
  expect(memberships.map((m) => m.slug)).toEqual(['e2e-branch']);
  // Signing in again goes straight to work: nothing is waiting.
  await context.clearCookies();
  await signInAs(them, invitee);
  await expect(them).toHaveURL(/\/$/);
  await context.close();

  await page.goto('/admin/members');
  await hydrated(page);
  await expect(page.getByTestId('members')).toBeVisible();
  await expect(page.locator(`[data-testid="pending-invitations"] tr[data-email="${invitee}"]`)).toHaveCount(0);
});
