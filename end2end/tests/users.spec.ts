// The admin's accounts list and audit log: find a patient, deactivate them (they cannot sign in
// and are told why), reactivate them, and read both actions in the audit log; the lists download
// as CSV files.
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages, UsersAdminPage } from './pages';

import { demoPassword } from './secrets';

test('an admin deactivates and reactivates a patient, and the audit log says so', { tag: ['@admin', '@users'] }, async ({ page, browser, consoleErrors }) => {
  const account = new AccountPages(page);
  const users = new UsersAdminPage(page);
  await account.signIn('admin', demoPassword);
  await account.header.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Clinic overview' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Admin', exact: true }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();

  await users.search({ text: 'chloe', role: 'Patients' });
  await expect(page).toHaveURL(/q=chloe&role=patient/);
  await expect(page.getByRole('status')).toHaveText('1 account');
  const chloe = users.row('chloe');
  await chloe.getByRole('button', { name: 'Deactivate' }).click();
  await expect(chloe.getByText('Deactivated', { exact: true })).toBeVisible();
  await expect(chloe.getByRole('button', { name: 'Reactivate' })).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/admin-users.png', fullPage: true });

  // The CSV download holds what the list shows.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);

  // Chloe, in another browser, is refused and told why.
  const other = await browser.newContext();
  const chloePage = await other.newPage();
  const chloeAccount = new AccountPages(chloePage);
  await chloeAccount.signIn('chloe', demoPassword);
  await expect(chloePage.getByText('This account has been deactivated. Please contact the clinic.')).toBeVisible();

  await chloe.getByRole('button', { name: 'Reactivate' }).click();
  await expect(chloe.getByText('Active', { exact: true })).toBeVisible();
  await chloeAccount.signIn('chloe', demoPassword);
  await expect(chloeAccount.header.getByRole('link', { name: 'Your visits' })).toBeVisible();
  await other.close();

  // Both actions are in the audit log, newest first.
  await page.getByRole('navigation', { name: 'Admin', exact: true }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Target').selectOption('user');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/target_type=user/);
  await expect(users.auditRows().nth(0)).toContainText('user.reactivate');
  await expect(users.auditRows().nth(1)).toContainText('user.deactivate');
  await expect(users.auditRows().nth(1)).toContainText('admin');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/admin-audit.png', fullPage: true });
});
