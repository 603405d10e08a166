// Each role's home: the admin's key figures and charts, the doctor's day, the patient's visits.
// Known visits and payments are written into the database first (so the figures are known exactly), the
// figures are checked against the database, each home is photographed into test-results, and
// each role is refused the others' homes.
//
// Signed in (the demo admin and doctor from the saved sign-in, the patient through the form),
// each home is loaded fresh (page.goto), as a bookmark would open it.
import { Client } from 'pg';
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages, DashboardPages } from './pages';

import { demoPassword } from './secrets';
const marker = 'dashboards.spec';

/** `$1,234.50`, as the app shows money. */
function dollars(amount: string | number): string {
  return `$${Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * Once per database: Chloe's confirmed visit with Dr. Hart in 20 days (paid today) and her
 * completed visit with Dr. Ortiz two days ago (paid); Ben's completed visit with Dr. Hart two days
 * ago (paid) and his confirmed one today at midnight, so it has started (waiting to be completed)
 * whenever the suite runs; all at hours and days no demo slot uses, and
 * none of Ann's (reviews.spec.ts has her review Dr. Hart). (A statement's inserts are invisible
 * to its own reads, so the payments join the inserted slots, not the table.) The clinic's time
 * zone is UTC in these tests.
 */
async function seedVisits(db: Client) {
  const { rows } = await db.query('SELECT 1 FROM appointments WHERE notes = $1', [marker]);
  if (rows.length > 0) return;
  await db.query(
    `WITH visits (patient, doctor, day, start, status, paid) AS (VALUES
       ('chloe', 'dr.hart', current_date + 20, time '06:00', 'confirmed', TRUE),
       ('chloe', 'dr.ortiz', current_date - 2, time '05:00', 'completed', TRUE),
       ('ben', 'dr.hart', current_date - 2, time '05:00', 'completed', TRUE),
       ('ben', 'dr.hart', current_date, time '00:00', 'confirmed', FALSE)),
     who AS (
       SELECT v.*, p.id AS patient_id, d.id AS doctor_id, d.user_id AS doctor_user, d.consultation_fee AS fee
         FROM visits v JOIN users p ON p.username = v.patient
         JOIN users du ON du.username = v.doctor JOIN doctors d ON d.user_id = du.id),
     slots AS (
       INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
       SELECT doctor_id, day, start, start + interval '30 minutes', FALSE, doctor_user FROM who
       RETURNING id, doctor_id, date, start_time),
     booked AS (
       INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee, notes)
       SELECT who.patient_id, who.doctor_id, s.id, who.status, who.fee, '${marker}'
         FROM slots s JOIN who ON who.doctor_id = s.doctor_id AND who.day = s.date AND who.start = s.start_time
       RETURNING id, consultation_fee, patient_id, doctor_id, time_slot_id)
     INSERT INTO payments (appointment_id, amount, status, transaction_id, paid_at)
     SELECT b.id, b.consultation_fee, 'completed', 'E2E-' || b.id, now()
       FROM booked b JOIN slots t ON t.id = b.time_slot_id
       JOIN who ON who.patient_id = b.patient_id AND who.doctor_id = b.doctor_id AND who.day = t.date
      WHERE who.paid`,
  );
}

async function scalar(db: Client, sql: string): Promise<string> {
  const { rows } = await db.query(sql);
  return String(Object.values(rows[0])[0]);
}

test.describe('signed in as the admin', () => {
  test.use({ signedInAs: 'admin' });
  test('the admin sees the clinic figures and charts', { tag: ['@admin', '@dashboards'] }, async ({ page, db, consoleErrors }) => {
    await seedVisits(db);
    const home = new DashboardPages(page);
    await page.goto('/admin');
    await waitForHydration(page);
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Clinic overview' })).toBeVisible();

    // The figures say what the database holds (clinic days are UTC days here).
    const today = `(now() AT TIME ZONE 'UTC')::date AT TIME ZONE 'UTC'`;
    const expected = {
      'bookings-today': await scalar(db, `SELECT count(*) FROM appointments WHERE created_at >= ${today}`),
      revenue: dollars(await scalar(db, `SELECT COALESCE(sum(amount), 0) FROM payments WHERE status = 'completed'`)),
      'active-doctors': await scalar(
        db,
        'SELECT count(*) FROM doctors d JOIN users u ON u.id = d.user_id WHERE d.is_active AND u.is_active',
      ),
      'new-patients': await scalar(
        db,
        `SELECT count(*) FROM users WHERE user_type = 'patient' AND created_at >= ${today} - interval '29 days'`,
      ),
    };
    expect(Number(expected['bookings-today'])).toBeGreaterThanOrEqual(4);
    expect(Number(await scalar(db, `SELECT count(*) FROM payments WHERE transaction_id LIKE 'E2E-%'`))).toBe(3);
    expect(Number(expected['active-doctors'])).toBeGreaterThanOrEqual(6);
    for (const [name, value] of Object.entries(expected)) {
      await expect(home.figure(name), name).toHaveText(value);
    }

    // Each chart is a picture with a text equivalent: a description and the numbers as a table.
    const bookings = home.chart('chart-bookings');
    await expect(bookings.locator('svg[role="img"] rect.chart-bar')).toHaveCount(30);
    await expect(bookings.locator('.chart-description')).toContainText('bookings in the last 30 days');
    const revenue = home.chart('chart-revenue');
    await expect(revenue.locator('svg')).toHaveAccessibleName(/Revenue by specialty/);
    await revenue.getByText('Show the numbers').click();
    await expect(revenue.getByRole('row', { name: /Cardiology/ })).toBeVisible();
    await expect(home.chart('chart-cancellations').locator('.chart-description')).toContainText('were cancelled');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'test-results/dashboard-admin.png', fullPage: true });
  });
});

test.describe('signed in as the doctor', () => {
  test.use({ signedInAs: 'doctor' });
  test('a doctor sees the day, the week, earnings and a way to add slots', { tag: ['@doctor', '@dashboards'] }, async ({ page, db, consoleErrors }) => {
    await seedVisits(db);
    const home = new DashboardPages(page);
    await page.goto('/doctor');
    await waitForHydration(page);
    await expect(page).toHaveURL(/\/doctor$/);

    await expect(home.agenda("Today's appointments")).toContainText('Ben Carter');
    await expect(home.agenda('Appointments to complete')).toContainText('Ben Carter');
    // Earnings: the fees of Dr. Hart's completed visits of this month and the five before.
    const earned = await scalar(
      db,
      `SELECT COALESCE(sum(a.consultation_fee), 0) FROM appointments a
         JOIN time_slots t ON t.id = a.time_slot_id JOIN doctors d ON d.id = a.doctor_id
         JOIN users u ON u.id = d.user_id
        WHERE u.username = 'dr.hart' AND a.status = 'completed'
          AND t.date >= date_trunc('month', current_date) - interval '5 months'`,
    );
    expect(Number(earned)).toBeGreaterThan(0);
    await expect(home.chart('chart-earnings').locator('.chart-description')).toContainText(`${dollars(earned)} from`);
    const freeSlots = await scalar(
      db,
      `SELECT count(*) FROM time_slots t JOIN doctors d ON d.id = t.doctor_id JOIN users u ON u.id = d.user_id
        WHERE u.username = 'dr.hart' AND t.is_available AND t.date + t.start_time > (now() AT TIME ZONE 'UTC')
          AND t.date <= current_date + 7`,
    );
    await expect(home.figure('free-slots')).toContainText(`${freeSlots} free slots`);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'test-results/dashboard-doctor.png', fullPage: true });
    await page.getByRole('link', { name: 'Add time slots' }).first().click();
    await expect(page).toHaveURL(/\/doctor\/slots$/);
  });
});

test('a patient sees the next visit, the wallet and what waits for a review', { tag: ['@patient', '@dashboards'] }, async ({ page, db, consoleErrors }) => {
  await seedVisits(db);
  const account = new AccountPages(page);
  const home = new DashboardPages(page);
  await account.signIn('chloe', demoPassword);
  // Signed in once the header says so; a fresh load before that would still be a visitor's.
  await expect(home.header.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.goto('/patient');
  await waitForHydration(page);
  await expect(page).toHaveURL(/\/patient$/);

  const balance = await scalar(db, `SELECT wallet_balance FROM users WHERE username = 'chloe'`);
  await expect(home.figure('wallet-balance')).toHaveText(dollars(balance));
  const next = page.locator('.next-appointment');
  await expect(next).toContainText('Dr. Amelia Hart');
  const nextId = await scalar(
    db,
    `SELECT a.id FROM appointments a JOIN users u ON u.id = a.patient_id
      WHERE u.username = 'chloe' AND a.notes = '${marker}' AND a.status = 'confirmed'`,
  );
  await expect(next.getByRole('link', { name: 'View, reschedule or cancel' })).toHaveAttribute('href', `/appointments/${nextId}`);
  await expect(home.agenda('Visits to review')).toContainText('Dr. Rafael Ortiz');
  await expect(page.getByRole('link', { name: 'Top up or see history' })).toHaveAttribute('href', '/wallet');

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/dashboard-patient.png', fullPage: true });
});

test('each role is refused the other roles’ homes', { tag: ['@admin', '@doctor', '@patient', '@smoke'] }, async ({ page, consoleErrors }) => {
  const account = new AccountPages(page);
  // A visitor is sent to sign in.
  const visitor = await page.request.get('/admin', { maxRedirects: 0 });
  expect(visitor.status()).toBe(302);
  expect(visitor.headers()['location']).toBe('/sign-in?next=/admin');

  const refusals: Record<string, string[]> = {
    admin: ['/doctor', '/patient'],
    'dr.hart': ['/admin', '/admin/users', '/admin/audit', '/patient'],
    ann: ['/admin', '/admin/users', '/admin/audit', '/doctor'],
  };
  for (const [username, paths] of Object.entries(refusals)) {
    await account.signIn(username, demoPassword);
    await expect(account.header.getByRole('button', { name: 'Sign out' })).toBeVisible();
    for (const path of paths) {
      const response = await page.request.get(path);
      expect(response.status(), `${username} on ${path}`).toBe(403);
      expect(await response.text()).toContain('This page is not for your account');
    }
    const csv = await page.request.get('/admin/users.csv');
    expect(csv.status(), `${username} downloading users`).toBe(username === 'admin' ? 200 : 403);
    await waitForHydration(page);
    await account.signOut();
    await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();
  }
});
