// Without JavaScript (the `no-javascript` project): Clinic is then a plain HTML site, as it is
// for everyone until the bundle has loaded, and for anyone whose page failed to hydrate. Every
// page must show its whole content, and every form must post, land on a page that tells the
// true outcome, and change exactly what it says. The three roles' core journeys, end to end.
import { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { latestCodeFor } from './mail';
import { FreeSlot, approved, freeSlot } from './patients';

import { demoPassword, secret } from './secrets';
const password = secret('password', 'plum-kettle-orbit-42');

const notice = (page: Page) => page.locator('.page-notice');
const badge = (page: Page) => page.locator('.appointment-detail .badge');
const header = (page: Page) => page.locator('header');

async function signIn(page: Page, identifier: string, secret: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page) {
  await header(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible();
}

async function topUp(page: Page, amount: string) {
  await page.goto('/wallet');
  const panel = page.locator('.form-panel').filter({ has: page.getByRole('heading', { name: 'Top up' }) });
  await panel.getByLabel(/Amount/).fill(amount);
  await panel.getByLabel('Card number').fill(approved);
  await panel.getByLabel('Expiry (MM/YY)').fill('12/34');
  await panel.getByLabel('Security code').fill('123');
  await panel.getByRole('button', { name: 'Top up' }).click();
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(notice(page)).toContainText(`Added $${Number(amount).toFixed(2)}`);
}

/** Books `free` from its week on the doctor's page; returns the appointment page's path. */
async function book(page: Page, { doctor, slot, date }: FreeSlot, button: RegExp): Promise<string> {
  await page.goto(`/doctors/${doctor}?week=${date}`);
  await page.locator(`a[href="/book/${slot}"]`).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Book an appointment' })).toBeVisible();
  await page.getByRole('button', { name: button }).click();
  await expect(page).toHaveURL(/\/appointments\/\d+$/);
  return new URL(page.url()).pathname;
}

/** A visit of `patient` with the demo doctor `doctor` on a past day no other spec uses. */
async function pastVisit(db: import('pg').Client, patient: string, doctor: string, status: string, daysAgo: number, start: string) {
  const { rows } = await db.query(
    `WITH who AS (
       SELECT (SELECT id FROM users WHERE username = $1) AS patient,
              d.id AS doctor, d.consultation_fee AS fee, d.user_id
         FROM doctors d JOIN users u ON u.id = d.user_id WHERE u.username = $2),
     slot AS (
       INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
       SELECT doctor, current_date - $4::int, $5::time, $5::time + interval '30 minutes', FALSE, user_id FROM who
       RETURNING id)
     INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
     SELECT who.patient, who.doctor, slot.id, $3, who.fee FROM who, slot
     RETURNING id`,
    [patient, doctor, status, daysAgo, start],
  );
  return rows[0].id as number;
}

test('a patient signs in, tops up, books, pays a hold, cancels, reviews and signs out', { tag: ['@patient', '@nojs', '@booking', '@wallet'] }, async ({ page, db }) => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const username = `nojs${tag}`;
  const email = `${username}@example.com`;

  // Registering signs in and asks for the emailed code.
  await page.goto('/register');
  const form = page.locator('form');
  await form.getByLabel('First name').fill('Nora');
  await form.getByLabel('Last name').fill('Script');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Phone').fill('+44 20 7946 0002');
  await form.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/verify-email$/);
  await page.getByLabel('Code', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Confirm' }).click();
  // A wrong code is refused beside its field, and nothing is confirmed.
  await expect(page.locator('#field-code-error')).not.toBeEmpty();
  await page.getByLabel('Code', { exact: true }).fill(await latestCodeFor(email, { subject: 'Confirm your email address' }));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/profile\?verified=1$/);
  await signOut(page);

  // Signing in: the header names her and offers to sign out, on the server-rendered page.
  await signIn(page, username, password);
  await expect(header(page).getByRole('link', { name: 'Nora Script' })).toBeVisible();
  await expect(header(page).getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.screenshot({ path: 'test-results/nojs-header.png' });

  // An empty wallet: the booking is held, then paid after a top-up.
  const held = await freeSlot(db, 4);
  const heldPath = await book(page, held, /^Book and hold this time$/);
  await expect(badge(page)).toHaveText('Awaiting payment');
  await topUp(page, '500');
  await page.goto(heldPath);
  await page.getByRole('button', { name: /^Pay .* from my wallet$/ }).click();
  await expect(page).toHaveURL(heldPath);
  await expect(badge(page)).toHaveText('Confirmed');

  // Enough money: paid at once, and the appointment page says so.
  const paid = await freeSlot(db, 5);
  const paidPath = await book(page, paid, /^Confirm and pay/);
  await expect(badge(page)).toHaveText('Confirmed');
  const fee = ((await page.locator('.facts dd.money').first().textContent()) ?? '').trim();
  await page.screenshot({ path: 'test-results/nojs-booked.png', fullPage: true });
  const { rows: appointments } = await db.query(
    `SELECT a.status, p.status AS payment FROM appointments a JOIN payments p ON p.appointment_id = a.id WHERE a.id = $1`,
    [Number(paidPath.split('/').pop())],
  );
  expect(appointments).toEqual([{ status: 'confirmed', payment: 'completed' }]);

  // Cancelling early refunds the whole fee, and the page says how much.
  await page.getByRole('button', { name: `Cancel and refund ${fee}` }).click();
  await expect(page).toHaveURL(paidPath);
  await expect(notice(page)).toHaveText(`Cancelled. ${fee} is back in your wallet.`);
  await expect(badge(page)).toHaveText('Cancelled');
  await page.screenshot({ path: 'test-results/nojs-appointment.png', fullPage: true });

  // A completed visit is reviewed.
  await pastVisit(db, username, 'dr.silva', 'completed', 3, '04:00');
  await page.goto('/reviews');
  const review = page.locator('.review-form-panel', { has: page.getByRole('heading', { name: 'Dr. Mateo Silva' }) });
  await review.getByRole('radio', { name: '4 stars' }).check();
  await review.getByLabel('Comment (optional)').fill(`Clear and kind (${tag}).`);
  await review.getByRole('button', { name: 'Post review' }).click();
  await expect(page).toHaveURL(/\/reviews$/);
  await expect(page.locator('.own-reviews > li').first()).toContainText(`Clear and kind (${tag}).`);

  await signOut(page);
  await page.goto('/wallet');
  await expect(page).toHaveURL(/\/sign-in\?next=\/wallet$/);
});

test('a doctor adds a slot and completes a visit', { tag: ['@doctor', '@nojs', '@slots'] }, async ({ page, db }) => {
  const visit = await pastVisit(db, 'ben', 'dr.larsen', 'confirmed', 1, '22:00');
  await signIn(page, 'dr.larsen', demoPassword);
  await expect(header(page).getByRole('link', { name: 'Your slots' })).toBeVisible();

  await page.goto('/doctor/slots');
  const day = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
  const single = page.getByRole('region', { name: 'Add one slot' });
  await single.getByLabel('Date').fill(day);
  await single.getByLabel('Starts').fill('21:00');
  await single.getByLabel('Ends').fill('21:30');
  await single.getByRole('button', { name: 'Add slot' }).click();
  await expect(notice(page)).toHaveText('The slot is added.');
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM time_slots s JOIN doctors d ON d.id = s.doctor_id JOIN users u ON u.id = d.user_id
      WHERE u.username = 'dr.larsen' AND s.date = $1 AND s.start_time = '21:00'`,
    [day],
  );
  expect(rows[0].n).toBe(1);

  await page.goto(`/appointments/${visit}`);
  await page.getByRole('button', { name: 'Mark as completed' }).click();
  await expect(page).toHaveURL(`/appointments/${visit}`);
  await expect(badge(page)).toHaveText('Completed');
});

test('an admin refunds a payment from the payments list', { tag: ['@admin', '@nojs', '@payments'] }, async ({ page, db }) => {
  // A paid visit of Chloe's to refund, made through the product: she tops up and books.
  await signIn(page, 'chloe', demoPassword);
  await expect(header(page).getByRole('button', { name: 'Sign out' })).toBeVisible();
  await topUp(page, '300');
  const path = await book(page, await freeSlot(db, 6), /^Confirm and pay/);
  await signOut(page);

  await signIn(page, 'admin', demoPassword);
  const { rows } = await db.query('SELECT transaction_id, amount::text FROM payments WHERE appointment_id = $1', [
    Number(path.split('/').pop()),
  ]);
  await page.goto(`/admin/payments?q=${rows[0].transaction_id}`);
  const line = page.locator('tr[data-payment]');
  await expect(line).toHaveCount(1);
  const amount = ((await line.locator('td.money').textContent()) ?? '').trim().split(/\s/)[0];
  await line.getByText('Refund…').click();
  await line.getByLabel('Reason (the patient reads it)').fill('The doctor is away');
  await line.getByRole('button', { name: `Refund ${amount}` }).click();
  await expect(notice(page)).toHaveText(`Refunded ${amount}; the appointment is cancelled.`);
  await expect(page.locator('tr[data-payment]').first()).toContainText(`${amount} refunded`);
  const { rows: after } = await db.query(
    `SELECT a.status, p.status AS payment FROM appointments a JOIN payments p ON p.appointment_id = a.id WHERE a.id = $1`,
    [Number(path.split('/').pop())],
  );
  expect(after).toEqual([{ status: 'cancelled', payment: 'refunded' }]);
});
