// Booking and the wallet in the browser: a patient tops up with the sandbox's success card,
// books, gets the confirmation email, cancels early and sees the refund; a declined card says
// so; a new patient with an empty wallet books a held time, tops up within the hold and pays;
// a paid visit moves to another time.
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages } from './pages';
import { mailApiPort } from '../playwright.config';
import { approved, bookFromDoctorPage, cardForm, declined, form, freeSlot, newPatient, openWallet } from './patients';

import { demoPassword } from './secrets';

/** The newest email to `to` whose subject starts with `prefix`. */
async function mailStartingWith(to: string, prefix: string): Promise<string> {
  let subject = '';
  await expect
    .poll(async () => {
      const response = await fetch(`http://127.0.0.1:${mailApiPort}/api/email`);
      const mails = (await response.json()) as { subject: string; to: { address: string }[] }[];
      subject = mails.filter((m) => m.subject.startsWith(prefix) && m.to.some((t) => t.address === to)).pop()?.subject ?? '';
      return subject;
    }, { message: `an email "${prefix}…" to ${to}`, timeout: 15_000 })
    .not.toBe('');
  return subject;
}

test('top up, book, get the confirmation, cancel early and see the refund', { tag: ['@patient', '@booking', '@wallet'] }, async ({ page, db, consoleErrors }) => {
  const free = await freeSlot(db, 0);
  const account = new AccountPages(page);
  await account.signIn('ann', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Wallet', exact: true })).toBeVisible();
  await waitForHydration(page);
  await openWallet(page);
  const topUp = await cardForm(page, 'Top up', '250', approved);
  await expect(topUp.getByRole('status')).toContainText('Added $250.00');
  await page.screenshot({ path: 'test-results/wallet.png', fullPage: true });

  await bookFromDoctorPage(page, free);
  await page.screenshot({ path: 'test-results/booking.png', fullPage: true });
  await page.getByRole('button', { name: /^Confirm and pay/ }).click();
  await expect(page).toHaveURL(/\/appointments\/\d+$/);
  await expect(page.locator('.badge')).toHaveText('Confirmed');
  const fee = (await page.locator('.facts dd.money').first().textContent()) ?? '';
  await mailStartingWith('ann@example.com', 'Confirmed:');
  await waitForHydration(page);
  await page.screenshot({ path: 'test-results/appointment.png', fullPage: true });

  const cancel = form(page, 'Cancel this appointment');
  await expect(cancel).toContainText(`You get ${fee} back`);
  await cancel.getByRole('button', { name: `Cancel and refund ${fee}` }).click();
  await expect(page.getByRole('status')).toContainText(`${fee} is back in your wallet`);
  await expect(page.locator('.badge')).toHaveText('Cancelled');

  await openWallet(page);
  const newest = page.locator('table.history tbody tr').first();
  await expect(newest).toContainText('Refund');
  await expect(newest).toContainText(fee);
});

test('a declined card is refused with its reason and changes nothing', { tag: ['@patient', '@booking', '@wallet'] }, async ({ page, consoleErrors }) => {
  const account = new AccountPages(page);
  await account.signIn('ben', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Wallet', exact: true })).toBeVisible();
  await waitForHydration(page);
  await openWallet(page);
  const before = await page.getByTestId('balance').textContent();
  const topUp = await cardForm(page, 'Top up', '40', declined);
  await expect(topUp.getByText('Your card was declined.')).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText(before ?? '');
  await topUp.screenshot({ path: 'test-results/wallet-declined.png' });
});

test('too little money holds the time; topping up within the hold and paying confirms it', { tag: ['@patient', '@booking', '@wallet'] }, async ({ page, db, consoleErrors }) => {
  const free = await freeSlot(db, 1);
  // A new patient (the demo patients' visits are counted by other specs): an empty wallet.
  const { email } = await newPatient(page, 'hold');

  await bookFromDoctorPage(page, free);
  await expect(page.getByRole('status')).toContainText('we hold this time');
  await page.getByRole('button', { name: 'Book and hold this time' }).click();
  await expect(page).toHaveURL(/\/appointments\/\d+$/);
  const appointment = new URL(page.url()).pathname;
  await expect(page.locator('.badge')).toHaveText('Awaiting payment');
  await waitForHydration(page);
  await page.screenshot({ path: 'test-results/appointment-held.png', fullPage: true });

  await openWallet(page);
  const topUp = await cardForm(page, 'Top up', '500', approved);
  await expect(topUp.getByRole('status')).toContainText('Added $500.00');
  await page.locator('header').getByRole('link', { name: 'Appointments', exact: true }).click();
  await page.locator(`a[href="${appointment}"]`).first().click();
  await waitForHydration(page);
  await page.getByRole('button', { name: /^Pay .* from my wallet$/ }).click();
  await expect(page.locator('.badge')).toHaveText('Confirmed');
  await mailStartingWith(email, 'Confirmed:');
});

test('a patient moves a paid visit to another time of the same doctor', { tag: ['@patient', '@booking'] }, async ({ page, db, consoleErrors }) => {
  const free = await freeSlot(db, 8);
  await newPatient(page, 'move');
  await openWallet(page);
  const topUp = await cardForm(page, 'Top up', '500', approved);
  await expect(topUp.getByRole('status')).toContainText('Added $500.00');
  await bookFromDoctorPage(page, free);
  await page.getByRole('button', { name: /^Confirm and pay/ }).click();
  await expect(page.locator('.badge')).toHaveText('Confirmed');
  const first = Number(new URL(page.url()).pathname.split('/').pop());
  await waitForHydration(page);

  await page.getByRole('link', { name: 'Move to another time' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Move to another time' })).toBeVisible();
  await waitForHydration(page);
  const times = page.locator('.reschedule-times').getByRole('button');
  await expect(times.first()).toBeVisible();
  const chosen = (await times.first().textContent())?.trim() ?? '';
  await times.first().click();

  // The new appointment opens, confirmed, and says where it came from.
  await expect(page).toHaveURL(/\/appointments\/\d+$/);
  const moved = Number(new URL(page.url()).pathname.split('/').pop());
  expect(moved).not.toBe(first);
  await expect(page.locator('.badge')).toHaveText('Confirmed');
  await expect(page.getByRole('link', { name: 'the earlier booking' })).toHaveAttribute('href', `/appointments/${first}`);
  // The button says the day and the time ("Mon 7 Dec 09:30"); the appointment's "When" says
  // that time.
  const time = chosen.split(' ').pop() ?? '';
  expect(time, `a time in "${chosen}"`).toMatch(/^\d{2}:\d{2}$/);
  await expect(page.getByRole('definition').first()).toContainText(`${time}–`);

  // The old time is free again for others; the new one is taken; the old visit points on.
  const { rows } = await db.query(
    `SELECT a.status, a.rescheduled_to, s.is_available
       FROM appointments a JOIN time_slots s ON s.id = a.time_slot_id WHERE a.id = $1`,
    [first],
  );
  expect(rows[0]).toEqual({ status: 'cancelled', rescheduled_to: String(moved), is_available: true });
  await page.getByRole('link', { name: 'the earlier booking' }).click();
  await expect(page.locator('.badge')).toHaveText('Cancelled');
  await expect(page.getByRole('link', { name: 'the new appointment' })).toHaveAttribute('href', `/appointments/${moved}`);
});
