// Signs the demo patient, doctor and admin in once per run and saves each browser state
// (`storageState`: the session cookie) for the `signedInAs` fixture (tests/fixtures.ts).
import { test as setup, expect } from '@playwright/test';
import { demoPassword, recordSecret } from './secrets';
import { SIGNED_IN, stateFile } from './signed-in';

for (const [role, username] of Object.entries(SIGNED_IN)) {
  setup(`sign in the demo ${role}`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL });
    const answer = await context.request.post('/api/sign-in', { form: { identifier: username, password: demoPassword } });
    expect(answer.ok(), `signing in as ${username}: ${answer.status()}`).toBeTruthy();
    const state = await context.storageState({ path: stateFile(role as keyof typeof SIGNED_IN) });
    const session = state.cookies.find((cookie) => cookie.name === 'clinic_session');
    expect(session, `a session cookie for ${username}`).toBeTruthy();
    recordSecret('session id', session?.value ?? '');
    await context.close();
  });
}
