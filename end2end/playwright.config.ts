import { defineConfig } from '@playwright/test';

// Debian's Chromium: `npx playwright install` cannot download browsers here.
// scripts/test.sh starts UT360 on BASE_URL against a freshly generated database.
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: './test-results',
  globalSetup: './global-setup.ts',
  use: {
    storageState: 'test-results/.auth/admin.json',
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
