// Each role's home: the admin's key figures and charts, the doctor's day, the patient's visits.
// Known visits and payments are written into the database first (booking has no pages yet), the
// figures are checked against the database, each home is photographed into test-results, and
// each role is refused the others' homes.
//
// Signed in, the tests reach each home by its header link (client-side), as the other specs do:
// hydrating a freshly loaded signed-in page fails now and then (see reviews.spec.ts).
import { Client } from 'pg';
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages, DashboardPages } from './pages';

const demoPassword = 'demo-clinic-2026';
const marker = 'dashboards.spec';

/** `$1,234.50`, as the app shows money. */
function dollars(amount: string | number): string {
  return `$${Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * Once per database: Ann's confirmed visit with Dr. Hart in 20 days (paid today), her completed
 * visit two days ago (paid), and Ben's confirmed visit with Dr. Hart today at 05:00, at hours and
 * days no demo slot uses. The clinic's time zone is UTC in these tests.
 */
async function seedVisits(db: Client) {
  const { rows } = await db.query('SELECT 1 FROM appointments WHERE notes = $1', [marker]);
  if (rows.length > 0) return;
  await db.query(
    `WITH hart AS (
       SELECT d.id, d.user_id, d.consultation_fee AS fee FROM doctors d
         JOIN users u ON u.id = d.user_id WHERE u.username = 'dr.hart'),
     visits (patient, day, start, status) AS (VALUES
       ('ann', current_date + 20, time '06:00', 'confirmed'),
       ('ann', current_date - 2, time '05:00', 'completed'),
       ('ben', current_date, time '05:00', 'confirmed')),
     slots AS (
       INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
       SELECT hart.id, v.day, v.start, v.start + interval '30 minutes', FALSE, hart.user_id
         FROM hart, visits v
       RETURNING id, doctor_id, date, start_time),
     booked AS (
       INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee, notes)
       SELECT u.id, s.doctor_id, s.id, v.status, hart.fee, '${marker}'
         FROM slots s JOIN visits v ON v.day = s.date AND v.start = s.start_time
         JOIN users u ON u.username = v.patient, hart
       RETURNING id, consultation_fee, patient_id)
     INSERT INTO payments (appointment_id, amount, status, transaction_id, paid_at)
     SELECT b.id, b.consultation_fee, 'completed', 'E2E-' || b.id, now()
       FROM booked b JOIN users u ON u.id = b.patient_id WHERE u.username = 'ann'`,
  );
}

async function scalar(db: Client, sql: string): Promise<string> {
  const { rows } = await db.query(sql);
  return String(Object.values(rows[0])[0]);
}

test('the admin sees the clinic figures and charts', async ({ page, db, consoleErrors }) => {
  await seedVisits(db);
  const account = new AccountPages(page);
  const home = new DashboardPages(page);
  await account.signIn('admin', demoPassword);
  await waitForHydration(page);
  await home.header.getByRole('link', { name: 'Admin', exact: true }).click();
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
  expect(Number(expected['bookings-today'])).toBeGreaterThanOrEqual(3);
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

test('a doctor sees the day, the week, earnings and a way to add slots', async ({ page, db, consoleErrors }) => {
  await seedVisits(db);
  const account = new AccountPages(page);
  const home = new DashboardPages(page);
  await account.signIn('dr.hart', demoPassword);
  await waitForHydration(page);
  await home.header.getByRole('link', { name: 'Your day' }).click();
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

test('a patient sees the next visit, the wallet and what waits for a review', async ({ page, db, consoleErrors }) => {
  await seedVisits(db);
  const account = new AccountPages(page);
  const home = new DashboardPages(page);
  await account.signIn('ann', demoPassword);
  await waitForHydration(page);
  await home.header.getByRole('link', { name: 'Your visits' }).click();
  await expect(page).toHaveURL(/\/patient$/);

  const balance = await scalar(db, `SELECT wallet_balance FROM users WHERE username = 'ann'`);
  await expect(home.figure('wallet-balance')).toHaveText(dollars(balance));
  const next = page.locator('.next-appointment');
  await expect(next).toContainText('Dr. Amelia Hart');
  const nextId = await scalar(
    db,
    `SELECT a.id FROM appointments a JOIN users u ON u.id = a.patient_id
      WHERE u.username = 'ann' AND a.notes = '${marker}' AND a.status = 'confirmed'`,
  );
  await expect(next.getByRole('link', { name: 'View, reschedule or cancel' })).toHaveAttribute('href', `/appointments/${nextId}`);
  await expect(home.agenda('Visits to review')).toContainText('Dr. Amelia Hart');
  await expect(page.getByRole('link', { name: 'Top up or see history' })).toHaveAttribute('href', '/wallet');

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/dashboard-patient.png', fullPage: true });
});

test('each role is refused the other roles’ homes', async ({ page, consoleErrors }) => {
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
