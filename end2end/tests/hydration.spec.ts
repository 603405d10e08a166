// Every page hydrates, however it is reached: each route is loaded fresh (a full page load, the
// way a bookmark, a reload or a link from an email reaches it) five times, as the role it is for,
// and any console error, failed request or panic fails the test. A page whose hydration fails is
// dead in the browser (no button works), so this is the promise every other spec relies on.
import { Page } from '@playwright/test';
import { test, expect, waitForHydration } from './fixtures';

const loads = 5;

// Dozens of full page loads each, every one waited out: far longer than one journey.
test.describe.configure({ timeout: 240_000 });

async function loadEachFresh(page: Page, routes: string[], heading: (route: string) => RegExp | string | undefined = () => undefined) {
  for (const route of routes) {
    for (let load = 1; load <= loads; load++) {
      await page.goto(route);
      await waitForHydration(page);
      const expected = heading(route);
      if (expected) await expect(page.getByRole('heading', { level: 1 }).first()).toHaveText(expected);
      // Let the page finish what it asked for before the next load cancels it.
      await page.waitForLoadState('networkidle');
    }
  }
}

test('a visitor\'s pages hydrate on every fresh load', { tag: ['@visitor', '@hydration'] }, async ({ page, db, consoleErrors }) => {
  const { rows } = await db.query('SELECT id FROM doctors WHERE is_active ORDER BY id LIMIT 1');
  await loadEachFresh(page, [
    '/',
    '/doctors',
    '/doctors?q=son&sort=fee',
    `/doctors/${rows[0].id}`,
    // A later week, and one far beyond the horizon (shown as the last week, with a reason).
    `/doctors/${rows[0].id}?week=${new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10)}&stars=5`,
    `/doctors/${rows[0].id}?week=2999-01-01`,
    '/sign-in',
    '/register',
    '/forgot-password',
    '/reset-password',
    '/no-such-page',
  ]);
});

test.describe('signed in as the patient', () => {
  test.use({ signedInAs: 'patient' });
  test('a patient\'s pages hydrate on every fresh load', { tag: ['@patient', '@hydration'] }, async ({ page, db, consoleErrors }) => {
    const { rows: visits } = await db.query(
      `SELECT a.id FROM appointments a JOIN users u ON u.id = a.patient_id WHERE u.username = 'ann' ORDER BY a.id LIMIT 1`,
    );
    const { rows: slots } = await db.query(
      `SELECT s.id, s.doctor_id FROM time_slots s JOIN doctors d ON d.id = s.doctor_id
        WHERE s.is_available AND d.is_active AND s.date >= current_date + 2 ORDER BY s.date DESC, s.id LIMIT 1`,
    );
    const routes = ['/patient', '/appointments', '/wallet', '/wallet?kind=top_up', '/reviews', '/profile', '/doctors', `/doctors/${slots[0].doctor_id}`, `/book/${slots[0].id}`];
    if (visits.length > 0) routes.push(`/appointments/${visits[0].id}`);
    await loadEachFresh(page, routes);
    // Signed in, the header says who and offers to sign out on the first paint.
    await expect(page.locator('header').getByRole('button', { name: 'Sign out' })).toBeVisible();
  });
});

test.describe('signed in as the doctor', () => {
  test.use({ signedInAs: 'doctor' });
  test('a doctor\'s pages hydrate on every fresh load', { tag: ['@doctor', '@hydration'] }, async ({ page, consoleErrors }) => {
    await loadEachFresh(page, ['/doctor', '/doctor/appointments', '/doctor/practice', '/doctor/slots', '/doctor/reviews', '/profile']);
  });
});

test.describe('signed in as the admin', () => {
  test.use({ signedInAs: 'admin' });
  test('an admin\'s pages hydrate on every fresh load', { tag: ['@admin', '@hydration'] }, async ({ page, db, consoleErrors }) => {
    const { rows } = await db.query('SELECT id FROM doctors ORDER BY id LIMIT 1');
    await loadEachFresh(page, [
      '/admin',
      '/admin/specialties',
      '/admin/doctors',
      '/admin/doctors/new',
      `/admin/doctors/${rows[0].id}`,
      `/admin/doctors/${rows[0].id}/slots`,
      '/admin/reviews',
      '/admin/users',
      '/admin/audit',
      '/admin/appointments',
      '/admin/payments',
      '/admin/transactions',
    ]);
  });
});
