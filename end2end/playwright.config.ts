import { defineConfig } from '@playwright/test';
import { STORAGE_STATE } from './global-setup';

// Debian's Chromium: `npx playwright install` cannot download browsers here.
// scripts/test.sh starts UT360 on BASE_URL against a freshly generated database.
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  retries: 0,
  workers: 1,
  // CI's two cores are shared and noisy (one run took 62 minutes where another took 36):
  // a page's answer may take longer there than Playwright's default 5 s.
  expect: { timeout: 15_000 },
  reporter: [['list']],
  // Playwright empties its output directory at the start of a run: not test-results,
  // whose pages/ screenshots (both languages, 1280 and 390 px) are committed.
  outputDir: './playwright-output',
  globalSetup: './global-setup.ts',
  use: {
    storageState: STORAGE_STATE,
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3100',
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    // The tests read the pages' English words; Vietnamese (the default for a browser
    // that asks for neither) is checked by tests/language.spec.ts in a context of its own.
    locale: 'en-US',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
});
