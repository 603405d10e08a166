// The admin's lists of payments, appointments and wallet transactions: a new patient books two
// visits; the admin finds them by the patient's email, refunds one payment from the payments
// list, cancels the other visit from the appointments list, downloads the list as CSV, and reads
// every movement of the patient's wallet in the ledger.
import { readFile } from 'node:fs/promises';
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages } from './pages';
import { approved, bookFromDoctorPage, cardForm, freeSlot, newPatient, openWallet } from './patients';

import { demoPassword } from './secrets';

test('an admin refunds a payment, cancels a visit and reads the ledger', { tag: ['@admin', '@payments'] }, async ({ page, db, consoleErrors }) => {
  const { username, email } = await newPatient(page, 'ops');
  await openWallet(page);
  const topUp = await cardForm(page, 'Top up', '500', approved);
  await expect(topUp.getByRole('status')).toContainText('Added $500.00');
  for (const nth of [2, 3]) {
    await bookFromDoctorPage(page, await freeSlot(db, nth));
    await page.getByRole('button', { name: /^Confirm and pay/ }).click();
    await expect(page.locator('.badge')).toHaveText('Confirmed');
  }

  const account = new AccountPages(page);
  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await account.signIn('admin', demoPassword);
  await account.header.getByRole('link', { name: 'Admin', exact: true }).click();
  const adminNav = page.getByRole('navigation', { name: 'Admin', exact: true });

  // Payments: find the patient's two, refund the newest.
  await adminNav.getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payments' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Reference or patient').fill(email);
  await page.getByLabel('Status').selectOption('completed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=completed/);
  await expect(page.locator('.results-count')).toHaveText('2 payments');
  const payment = page.locator('tr[data-payment]').first();
  const amount = ((await payment.locator('td.money').textContent()) ?? '').trim();
  await payment.getByText('Refund…').click();
  await payment.getByLabel('Reason (the patient reads it)').fill('The doctor is away');
  await payment.getByRole('button', { name: `Refund ${amount}` }).click();
  await expect(page.locator('.alert-success')).toContainText(`Refunded ${amount}`);
  await expect(page.locator('.results-count')).toHaveText('1 payment');
  await page.getByLabel('Status').selectOption('refunded');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('tr[data-payment]')).toHaveCount(1);
  await expect(page.locator('tr[data-payment]').first()).toContainText(`${amount} refunded`);
  await page.screenshot({ path: 'test-results/admin-payments.png', fullPage: true });

  // Appointments: the refunded visit is cancelled; cancel the other from the list.
  await adminNav.getByRole('link', { name: 'Appointments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Appointments' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Patient', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/patient=/);
  await expect(page.locator('.results-count')).toHaveText('2 appointments');
  const rows = page.locator('tr[data-appointment]');
  await expect(rows.filter({ hasText: 'Cancelled' })).toHaveCount(1);
  const live = rows.filter({ hasText: 'Confirmed' });
  await live.getByText('Cancel…').click();
  await live.getByRole('button', { name: /^Cancel and refund/ }).click();
  await expect(page.locator('.alert-success')).toContainText('is back in');
  await expect(rows.filter({ hasText: 'Cancelled' })).toHaveCount(2);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/admin-appointments.png', fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^appointments-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile((await file.path()) ?? '', 'utf8');
  expect(csv.split('\r\n').filter((line) => line.includes(email))).toHaveLength(2);

  // The ledger: the top-up, two payments and two refunds, newest first.
  await adminNav.getByRole('link', { name: 'Transactions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Wallet transactions' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Name, username or email').fill(username);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('.results-count')).toHaveText('5 transactions');
  await expect(page.locator('tr[data-transaction]').first()).toContainText('Refund');
  await page.getByLabel('Type').selectOption('refund');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('.results-count')).toHaveText('2 transactions');
  await page.screenshot({ path: 'test-results/admin-transactions.png', fullPage: true });
});
