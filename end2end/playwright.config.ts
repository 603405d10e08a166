// Playwright drives the system Chromium (Debian's `chromium` package) against a release build.
// scripts/test.sh starts nothing itself: the webServer below starts the server on a fresh
// database and Playwright waits for /readyz before the first test. With BASE_URL set, the suite
// runs against that instance instead and starts nothing (the smoke subset is made for that:
// see README.md).
import { defineConfig } from '@playwright/test';
import path from 'node:path';

const repo = path.resolve(__dirname, '..');
const port = process.env.E2E_PORT ?? '3100';
const external = process.env.BASE_URL;
const baseURL = external ?? `http://127.0.0.1:${port}`;
const ci = !!process.env.CI;
// maildev receives the app's mail over SMTP and shows it over HTTP (tests read codes from it).
export const mailSmtpPort = process.env.E2E_SMTP_PORT ?? '1125';
export const mailApiPort = process.env.E2E_MAIL_API_PORT ?? '1180';
export const serverBin =
  process.env.CLINIC_SERVER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target'), 'release', 'server');
// The server's log (its standard error) goes to this file, written afresh each run, which
// scripts/test.sh searches afterwards for the secrets the suite used (tests/secrets.ts). Its
// standard output (the demo logins) still shows here.
export const serverLog = process.env.E2E_SERVER_LOG ?? path.join(repo, '.local', 'e2e-server.log');

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: ci,
  // One retry in CI, to tell a flaky test from a broken one; and a test that passed only on its
  // retry fails the run all the same (it is reported as flaky).
  retries: ci ? 1 : 0,
  failOnFlakyTests: ci,
  // `list` prints as it goes; the HTML report and JUnit XML are written to files, never served
  // (a report server would block a failing run).
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    ['junit', { outputFile: 'playwright-report/junit.xml' }],
  ],
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // No video: recording needs Playwright's own ffmpeg, fetched by `npx playwright install`,
    // which the suite never runs (browsers and tools come from the system). A failed test's trace
    // holds a screenshot of every step instead.
    video: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Root (CI) needs --no-sandbox; the rest keeps Chromium off the network it cannot reach.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    // Signs the demo patient, doctor and admin in once and saves their browser state.
    { name: 'signed-in', testMatch: /signed-in\.setup\.ts/ },
    // The app as most people get it: the page, then the bundle that hydrates it.
    { name: 'browser', testIgnore: /nojs\.spec\.ts/, dependencies: ['signed-in'] },
    // The app before (or without) the bundle: plain HTML pages and form posts.
    { name: 'no-javascript', testMatch: /nojs\.spec\.ts/, use: { javaScriptEnabled: false } },
  ],
  webServer: external ? [] : [
    {
      command: `npx maildev --smtp ${mailSmtpPort} --ip 127.0.0.1 --web ${mailApiPort} --web-ip 127.0.0.1 --silent`,
      url: `http://127.0.0.1:${mailApiPort}/api/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
    command: `mkdir -p "${path.dirname(serverLog)}" && exec "${serverBin}" serve --demo 2>"${serverLog}"`,
    cwd: repo,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(repo, 'target', 'site'),
      CLINIC_DATA_DIR: path.join(repo, '.local'),
      // Our own code and each request at debug, so the search covers what an operator turning
      // logging up would see; the libraries' chatter at info.
      RUST_LOG: process.env.RUST_LOG ?? 'info,server=debug,app=debug,tower_http=debug',
      SMTP_URL: `smtp://127.0.0.1:${mailSmtpPort}`,
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
    },
    },
  ],
});
