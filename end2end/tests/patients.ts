// Steps of a patient's journey that several specs take: a new patient with a confirmed email,
// the wallet's card forms, and booking from a doctor's page.
import { Page, expect } from '@playwright/test';
import { waitForHydration } from './fixtures';
import { AccountPages } from './pages';
import { latestCodeFor } from './mail';
import { secret } from './secrets';

export const approved = card('4242 4242 4242 4242');
export const declined = card('4000 0000 0000 0002');

function card(number: string): string {
  secret('card number', number.replace(/ /g, ''));
  return secret('card number', number);
}

/** A free time: its slot, its doctor and its date (which names its week on the doctor's page). */
export type FreeSlot = { slot: number; doctor: number; date: string };

/** A free slot at least two days ahead, the `nth` of them (so each test books its own). */
export async function freeSlot(db: import('pg').Client, nth: number): Promise<FreeSlot> {
  const { rows } = await db.query(
    `SELECT s.id AS slot, s.doctor_id AS doctor, s.date::text AS date FROM time_slots s JOIN doctors d ON d.id = s.doctor_id
      WHERE s.is_available AND d.is_active AND s.date >= current_date + 2
      ORDER BY s.doctor_id, s.date, s.start_time OFFSET $1 LIMIT 1`,
    [nth * 7],
  );
  return rows[0];
}

export async function openWallet(page: Page) {
  await page.locator('header').getByRole('link', { name: 'Wallet', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your wallet' })).toBeVisible();
  await waitForHydration(page);
}

export function form(page: Page, heading: string) {
  return page.locator('.form-panel').filter({ has: page.getByRole('heading', { name: heading }) });
}

export async function cardForm(page: Page, heading: string, amount: string, card: string) {
  const panel = form(page, heading);
  await panel.getByLabel(/Amount/).fill(amount);
  await panel.getByLabel('Card number').fill(card);
  await panel.getByLabel('Expiry (MM/YY)').fill('12/34');
  await panel.getByLabel('Security code').fill('123');
  await panel.getByRole('button', { name: heading }).click();
  return panel;
}

/** Opens the doctor's page at the week of `free` (as a shared link would) and books it. */
export async function bookFromDoctorPage(page: Page, { doctor, slot, date }: FreeSlot) {
  await page.goto(`/doctors/${doctor}?week=${date}`);
  await waitForHydration(page);
  await page.locator(`a[href="/book/${slot}"]`).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Book an appointment' })).toBeVisible();
  await waitForHydration(page);
}

/** The password of every patient `newPatient` registers. */
export const patientPassword = secret('password', 'plum-kettle-orbit-42');

/** Registers a new patient named `prefix` plus a unique tag and confirms their email. */
export async function newPatient(page: Page, prefix: string): Promise<{ username: string; email: string }> {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const username = `${prefix}${tag}`;
  const email = `${username}@example.com`;
  const account = new AccountPages(page);
  await account.register({ username, email, password: patientPassword });
  await expect(page).toHaveURL(/\/verify-email$/);
  await waitForHydration(page);
  await account.enterCode(await latestCodeFor(email, { subject: 'Confirm your email address' }));
  await expect(page).toHaveURL(/\/profile\?verified=1$/);
  await expect(account.header.getByRole('link', { name: 'Wallet', exact: true })).toBeVisible();
  await waitForHydration(page);
  return { username, email };
}
