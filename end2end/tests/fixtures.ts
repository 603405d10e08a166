// Shared test fixtures: every page is watched for console errors and failed requests, which
// fail the test that caused them; `db` runs SQL against the server's database; `signedInAs`
// starts the test signed in as a demo account.
import { test as base, expect, Page } from '@playwright/test';
import { Client } from 'pg';
import { recordSecret } from './secrets';
import { SignedInRole, stateFile } from './signed-in';

type Options = {
  /** Start signed in as the demo patient (`ann`), doctor (`dr.hart`) or admin, from the state
   * the setup project saved: `test.use({ signedInAs: 'admin' })`. Such a test must not sign
   * out or change that account's password: every test of that role shares the session. */
  signedInAs: SignedInRole | undefined;
};

type Fixtures = {
  consoleErrors: string[];
  cspViolations: string[];
  sessionIds: void;
  db: Client;
};

export const test = base.extend<Fixtures & Options>({
  signedInAs: [undefined, { option: true }],
  storageState: async ({ signedInAs, storageState }, use) => {
    await use(signedInAs ? stateFile(signedInAs) : storageState);
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      // A 4xx answer to a form is the app telling the person what to fix, not a fault; the
      // browser logs it all the same. Server faults (5xx) are caught below.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 500) errors.push(`HTTP ${response.status()} from ${response.url()}`);
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    page.on('requestfailed', (request) => {
      const reason = request.failure()?.errorText ?? 'unknown';
      // The browser says ERR_ABORTED only when the page itself gave up a request, as leaving a
      // page does with the reads still in flight (the header's `/api/me`): that is neither a
      // server nor a network fault. An action cut short this way would show in the test's own
      // assertions, which look for its effect.
      if (reason === 'net::ERR_ABORTED') return;
      errors.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
    });
    await use(errors);
    expect(errors, 'the page logged errors').toEqual([]);
  },
  // Every test, whether or not it watches the console: the app must work under its content
  // security policy, hydration included, with no script or style the policy refuses.
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`);
        });
      });
      page.on('console', (message) => {
        if (/Content Security Policy|CSP violation/i.test(message.text())) violations.push(message.text());
      });
      await use(violations);
      expect(violations, 'the content security policy refused something').toEqual([]);
    },
    { auto: true },
  ],
  // Every session id the server hands out (sign-in gives a new one), written down for the
  // search of the server's log after the run (see secrets.ts).
  sessionIds: [
    async ({ page, context }, use) => {
      page.on('response', async (response) => {
        const cookies = (await response.headerValue('set-cookie').catch(() => null)) ?? '';
        for (const [, id] of cookies.matchAll(/clinic_session=([^;\s]+)/g)) recordSecret('session id', id);
      });
      await use();
      for (const cookie of await context.cookies()) {
        if (cookie.name === 'clinic_session') recordSecret('session id', cookie.value);
      }
    },
    { auto: true },
  ],
  db: async ({}, use) => {
    const url = process.env.E2E_DATABASE_URL;
    if (!url) throw new Error('E2E_DATABASE_URL is not set: run the suite through scripts/test.sh');
    const client = new Client({ connectionString: url });
    await client.connect();
    await use(client);
    await client.end();
  },
});

export { expect };

/** Waits until the WASM bundle has taken over the server-rendered page. */
export async function waitForHydration(page: Page) {
  // The bundle marks <body> once hydration has finished (frontend/src/lib.rs).
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
}
