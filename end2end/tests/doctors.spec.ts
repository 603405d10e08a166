// The doctor journey: an admin adds a specialty and onboards a doctor, the doctor chooses a
// password from the welcome email and signs in, and a visitor finds them and opens their page.
import { test, expect, waitForHydration } from './fixtures';
import { lastMailTo } from './mail';
import { AccountPages, AdminPages, DoctorsPage } from './pages';

import { demoPassword, recordSecret } from './secrets';

test('admin onboards a doctor who sets a password, and visitors find them', { tag: ['@admin', '@doctor', '@visitor'] }, async ({ page, consoleErrors }) => {
  const tag = `${Date.now()}`.slice(-6);
  const specialty = `Sports Medicine ${tag}`;
  const email = `dr.quinn.${tag}@example.com`;
  const account = new AccountPages(page);
  const admin = new AdminPages(page);

  await account.signIn('admin', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Admin', exact: true })).toBeVisible();
  await waitForHydration(page);

  await admin.addSpecialty(specialty, 'Injuries from sport and exercise.');
  await expect(page.getByText('The specialty is added.')).toBeVisible();
  await expect(admin.specialtyRow(specialty)).toContainText('No doctors');
  // The same name in other letters is refused beside the field.
  await admin.addSpecialty(specialty.toUpperCase(), '');
  await expect(page.getByText('already exists (names ignore case)')).toBeVisible();
  await page.screenshot({ path: 'test-results/admin-specialties.png', fullPage: true });

  await admin.onboardDoctor({
    firstName: 'Harper',
    lastName: `Quinn${tag}`,
    email,
    specialty,
    license: `SM-${tag}`,
    years: '-1',
    fee: '95',
    bio: 'Knees, shoulders and getting back to running.',
  });
  await expect(page.getByText('Years of experience cannot be negative.')).toBeVisible();
  await page.getByLabel('Years of experience').fill('14');
  await page.getByRole('button', { name: 'Create and send invitation' }).click();
  await expect(page).toHaveURL(/\/admin\/doctors\/\d+\?created=1$/);
  await expect(page.getByText(`We emailed ${email} a link to choose a password.`)).toBeVisible();
  await expect(page.getByText('has not chosen a password yet')).toBeVisible();
  await page.screenshot({ path: 'test-results/admin-doctor.png', fullPage: true });
  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  // The doctor follows the emailed link: email and code are filled in.
  const welcome = await lastMailTo(email, 'Your Clinic account: choose a password');
  const link = welcome.match(/https?:\/\/\S+\/reset-password\?\S+/)?.[0];
  expect(link, 'a password link in the welcome email').toBeTruthy();
  for (const value of new URL(link!).searchParams.values()) if (/^\d{6}$/.test(value)) recordSecret('code', value);
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await waitForHydration(page);
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  await expect(page.getByLabel('Code from the email')).toHaveValue(/^\d{6}$/);
  await page.getByLabel('New password').fill('harper-runs-the-hills');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has been changed.')).toBeVisible();
  await account.signIn(email, 'harper-runs-the-hills');
  await expect(account.header.getByRole('link', { name: 'Your practice' })).toBeVisible();
  await waitForHydration(page);
  await account.header.getByRole('link', { name: 'Your practice' }).click();
  await expect(page.getByLabel('Consultation fee ($)')).toHaveValue('95.00');
  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  // A visitor narrows the directory by specialty and name and opens the profile.
  const directory = new DoctorsPage(page);
  await page.goto('/doctors');
  await waitForHydration(page);
  await directory.search({ specialty, name: 'quinn' });
  await expect(page).toHaveURL(/specialty=\d+/);
  await expect(directory.results).toHaveCount(1);
  await expect(directory.results.first()).toContainText(`Dr. Harper Quinn${tag}`);
  await expect(directory.results.first()).toContainText('14 years');
  await expect(directory.results.first()).toContainText('$95.00');
  await page.screenshot({ path: 'test-results/directory-filtered.png', fullPage: true });
  await directory.results.first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: `Dr. Harper Quinn${tag}` })).toBeVisible();
  await expect(page.getByText('Knees, shoulders and getting back to running.')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('the directory sorts and pages through the demo doctors, and the back button returns', { tag: ['@visitor', '@directory', '@smoke'] }, async ({ page }) => {
  const directory = new DoctorsPage(page);
  await page.goto('/doctors');
  await waitForHydration(page);
  await directory.search({ sort: 'Lowest fee' });
  await expect(page).toHaveURL(/sort=fee/);
  const fees = await directory.results.locator('.fee').allTextContents();
  const amounts = fees.map((fee) => Number(fee.replace(/[$,]/g, '')));
  expect(amounts.length).toBeGreaterThan(1);
  expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
  await page.screenshot({ path: 'test-results/directory.png', fullPage: true });

  await page.goto('/doctors?min_rating=seven');
  await expect(page.getByText('This search cannot be run')).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/sort=fee/);
  await expect(directory.results.first()).toBeVisible();
});
