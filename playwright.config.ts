import { defineConfig } from '@playwright/test';

// e2e against the real server + real qemu (TCG) in Debian's chromium; guests are slow on small CI hosts.
// Two workers: each spec file has a server (and guests) of its own, and much of a spec's time is waiting for
// a guest, so two files side by side finish sooner on 2 cores (45 specs: 8.2 min with 2 workers against 13.4
// min of summed spec time, on a host busy with other guests).
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  workers: 2,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
