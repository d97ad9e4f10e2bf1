// Signs in once as the e2e admin (scripts/test.sh creates one account per role) and
// keeps the session for every test that does not sign in itself.
import { request, FullConfig } from '@playwright/test';

/** Inside Playwright's output directory: never committed, made afresh by each run. */
export const STORAGE_STATE = 'playwright-output/.auth/admin.json';

export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0].use.baseURL as string;
  const context = await request.newContext({ baseURL });
  const response = await context.post('/auth/sign-in', {
    form: { email: 'e2e-admin@ut360.test', password: process.env.E2E_PASSWORD ?? '', next: '/' },
    maxRedirects: 0,
  });
  if (response.status() !== 303 || response.headers()['location'] !== '/') {
    throw new Error(`the e2e admin could not sign in (${response.status()} → ${response.headers()['location']}); is E2E_PASSWORD set?`);
  }
  await context.storageState({ path: STORAGE_STATE });
  await context.dispose();
}
