import { test, expect, waitForHydration } from './fixtures';
import { latestCodeFor } from './mail';
import { AccountPages } from './pages';
import { secret } from './secrets';

const password = 'plum-kettle-orbit-42';
const newPassword = secret('password', 'a new and quiet river');

function uniqueUser() {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  return { username: `e2e${tag}`, email: `e2e${tag}@example.com` };
}

test('register, confirm the email, sign out and in, reset the password', { tag: ['@visitor', '@accounts'] }, async ({ page, consoleErrors }) => {
  const { username, email } = uniqueUser();
  const account = new AccountPages(page);

  await account.register({ username, email, password });
  await expect(page).toHaveURL(/\/verify-email$/);
  await expect(page.getByText(email)).toBeVisible();
  await expect(account.header.getByRole('link', { name: 'Confirm email' })).toBeVisible();

  await account.enterCode(await latestCodeFor(email, { subject: 'Confirm your email address' }));
  await expect(page).toHaveURL(/\/profile\?verified=1$/);
  await expect(page.getByText('your email address is confirmed')).toBeVisible();
  await page.screenshot({ path: 'test-results/profile.png', fullPage: true });

  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  await account.signIn(username, password);
  await expect(account.header.getByRole('link', { name: 'Ann Lee' })).toBeVisible();
  await account.signOut();
  // Leaving before the sign-out has answered would abort it.
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  const requested = new Date(Date.now() - 1000);
  await page.goto('/forgot-password');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await expect(page.getByText('If an account uses that address, a code is on its way.')).toBeVisible();
  await page.getByRole('link', { name: 'Enter the code' }).click();
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  await page.getByLabel('Code from the email').fill(await latestCodeFor(email, { subject: 'Reset your password', after: requested }));
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has been changed.')).toBeVisible();

  await account.signIn(email, password);
  await expect(page.getByText('The username, email or password is not right.')).toBeVisible();
  await account.signIn(email, newPassword);
  await expect(account.header.getByRole('link', { name: 'Ann Lee' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('a wrong code says so and how many tries are left', { tag: ['@visitor', '@accounts'] }, async ({ page }) => {
  const { username, email } = uniqueUser();
  const account = new AccountPages(page);
  await account.register({ username, email, password });
  await expect(page).toHaveURL(/\/verify-email$/);
  const code = await latestCodeFor(email, { subject: 'Confirm your email address' });
  await account.enterCode(code === '000000' ? '111111' : '000000');
  await expect(page.getByText('That code is not right. You have 4 more tries.')).toBeVisible();
  await expect(page.getByLabel('Code', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: 'test-results/verify-wrong-code.png', fullPage: true });
});

test('repeated wrong passwords pause sign-in, and the page says how long to wait', { tag: ['@visitor', '@accounts'] }, async ({ page, consoleErrors }) => {
  // A demo doctor no other spec signs in as: the pause lasts 15 minutes.
  const account = new AccountPages(page);
  for (let attempt = 0; attempt < 5; attempt++) {
    await account.signIn('dr.kim', 'not-the-password');
    await expect(page.getByText('The username, email or password is not right.')).toBeVisible();
  }
  // Now even the right password waits, and the page says for how long.
  await account.signIn('dr.kim', 'demo-clinic-2026');
  await expect(page.getByText(/Too many attempts\. Try again in \d+ minutes?\./)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.screenshot({ path: 'test-results/sign-in-paused.png', fullPage: true });
});

test('registration shows each problem beside its field', { tag: ['@visitor', '@accounts'] }, async ({ page }) => {
  await page.goto('/register');
  await waitForHydration(page);
  const form = page.locator('form');
  await form.getByLabel('First name').fill('Ann');
  await form.getByLabel('Last name').fill('Lee');
  await form.getByLabel('Username').fill('x y');
  await form.getByLabel('Email').fill('ann@example');
  await form.getByLabel('Phone').fill('020 7946 0000');
  await form.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Use only letters, digits, dots, dashes and underscores.')).toBeVisible();
  await expect(page.getByText('is not an email address')).toBeVisible();
  await expect(page.getByText('Enter the number in international form')).toBeVisible();
  await expect(page.getByText('This password is one of the most common ones')).toBeVisible();
  await page.screenshot({ path: 'test-results/register-errors.png', fullPage: true });
});
