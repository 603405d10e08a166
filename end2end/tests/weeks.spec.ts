// Booking reach: a doctor publishes a time five weeks ahead, and a new patient finds it by
// paging week by week from the doctor's public page, and books it.
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages } from './pages';
import { approved, cardForm, newPatient, openWallet } from './patients';

import { demoPassword } from './secrets';
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Today plus `days`, as the server (on UTC) counts dates. */
function dayFromToday(days: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
}
const iso = (date: Date) => date.toISOString().slice(0, 10);
const longDate = (date: Date) => `${weekdays[date.getUTCDay()]} ${date.getUTCDate()} ${months[date.getUTCMonth()]}`;

test('a time published five weeks ahead is found by paging weeks and booked', { tag: ['@patient', '@booking'] }, async ({ page, db, consoleErrors }) => {
  const day = dayFromToday(35);
  const account = new AccountPages(page);
  await account.signIn('dr.larsen', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Your slots' })).toBeVisible();
  await waitForHydration(page);
  await account.header.getByRole('link', { name: 'Your slots' }).click();
  // An early hour no demo slot uses, so the new time overlaps nothing.
  const single = page.getByRole('region', { name: 'Add one slot' });
  await single.getByLabel('Date').fill(iso(day));
  await single.getByLabel('Starts').fill('06:10');
  await single.getByLabel('Ends').fill('06:40');
  await single.getByRole('button', { name: 'Add slot' }).click();
  await expect(single.getByRole('status')).toBeVisible();
  await account.signOut();

  await newPatient(page, 'weeks');
  await openWallet(page);
  const topUp = await cardForm(page, 'Top up', '300', approved);
  await expect(topUp.getByRole('status')).toContainText('Added $300.00');

  const { rows } = await db.query(
    "SELECT d.id FROM doctors d JOIN users u ON u.id = d.user_id WHERE u.username = 'dr.larsen'",
  );
  await page.goto(`/doctors/${rows[0].id}`);
  await waitForHydration(page);
  const weeks = page.getByRole('navigation', { name: 'Weeks of free times' });
  await expect(weeks).toContainText('This week');
  for (const size of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    await page.locator('#free-times').screenshot({ path: `test-results/weeks-1-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  const time = page.getByRole('link', { name: `06:10 Book, until 06:40 on ${longDate(day)}` });
  await expect(time).toHaveCount(0);

  // Five weeks on, by the page's own links: next week, then four "Next week" more.
  for (let n = 1; n <= 5; n++) {
    await weeks.getByRole('link', { name: 'Next week →' }).click();
    await expect(weeks).toContainText(n === 1 ? 'Next week' : 'Week of');
    await expect(page).toHaveURL(/\?week=\d{4}-\d\d-\d\d/);
  }
  await expect(time).toBeVisible();
  for (const size of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    await page.locator('#free-times').screenshot({ path: `test-results/weeks-5-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  // The week is in the URL: a fresh load shows the same week.
  await page.reload();
  await waitForHydration(page);
  await expect(time).toBeVisible();
  await weeks.getByRole('link', { name: '← Previous week' }).click();
  await expect(time).toHaveCount(0);
  await weeks.getByRole('link', { name: 'Next week →' }).click();

  await time.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Book an appointment' })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: /^Confirm and pay/ }).click();
  await expect(page).toHaveURL(/\/appointments\/\d+$/);
  await expect(page.locator('.badge')).toHaveText('Confirmed');
  await expect(page.locator('.appointment-detail')).toContainText('06:10');
  expect(consoleErrors).toEqual([]);
});
