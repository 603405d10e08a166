import { readFile } from 'node:fs/promises';
import { test, expect, waitForHydration } from './fixtures';
import { latestCodeFor } from './mail';
import { AccountPages } from './pages';
import { secret } from './secrets';

const password = secret('password', 'lantern-meadow-copper-7');

test('a patient downloads their data, then deletes the account and can no longer sign in', { tag: ['@patient', '@privacy'] }, async ({ page, consoleErrors }) => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const username = `e2edel${tag}`;
  const email = `e2edel${tag}@example.com`;
  const account = new AccountPages(page);

  await account.register({ username, email, password });
  await expect(page).toHaveURL(/\/verify-email$/);
  await account.enterCode(await latestCodeFor(email, { subject: 'Confirm your email address' }));
  await expect(page).toHaveURL(/\/profile\?verified=1$/);

  await page.goto('/profile');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Your data' })).toBeVisible();
  await page.screenshot({ path: 'test-results/data-rights-profile.png', fullPage: true });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download my data' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^my-clinic-data-\d{4}-\d{2}-\d{2}\.json$/);
  const copy = JSON.parse(await readFile(await download.path(), 'utf8'));
  expect(JSON.stringify(copy)).toContain(email);
  expect(JSON.stringify(copy)).not.toContain(password);

  const deletion = page.getByRole('region', { name: 'Delete account' });
  await deletion.getByLabel('Your password').fill('not the password');
  await deletion.getByRole('button', { name: 'Delete my account' }).click();
  await expect(deletion.getByRole('alert')).toBeVisible();
  await deletion.getByLabel('Your password').fill(password);
  await deletion.getByRole('button', { name: 'Delete my account' }).click();
  await expect(deletion.getByText('Your account has been deleted and you are signed out.')).toBeVisible();
  await page.screenshot({ path: 'test-results/data-rights-deleted.png', fullPage: true });

  await account.signIn(username, password);
  await expect(page.getByText('The username, email or password is not right.')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
