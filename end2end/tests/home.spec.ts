import AxeBuilder from '@axe-core/playwright';
import { test, expect, waitForHydration } from './fixtures';
import { HomePage, DoctorsPage } from './pages';

test('the home page lists the specialties stored in the database', { tag: ['@visitor'] }, async ({ page, db, consoleErrors }) => {
  // A specialty that only exists because this test wrote it: proof the page reads the database.
  const name = `Travel Medicine ${Date.now()}`;
  await db.query('INSERT INTO specialties (name, description) VALUES ($1, $2)', [
    name,
    'Vaccines and advice before you travel.',
  ]);
  try {
    const home = new HomePage(page);
    // Written behind the server's back (as another instance would), the change may wait out
    // the visitors' page cache (CLINIC_PAGE_CACHE_MS, a second).
    await expect(async () => {
      await home.goto();
      await expect(home.specialtyCard(name)).toBeVisible({ timeout: 500 });
    }).toPass({ timeout: 5_000 });
    await expect(page).toHaveTitle('Clinic');
    await expect(home.specialtyCard('Cardiology')).toContainText('2 doctors');
    await expect(home.specialtyCard(name)).toContainText('Vaccines and advice before you travel.');
    await expect(home.specialtyCard(name)).toContainText('0 doctors');
  } finally {
    await db.query('DELETE FROM specialties WHERE name = $1', [name]);
  }
  expect(consoleErrors).toEqual([]);
});

test('the page hydrates: navigation happens in the browser, without a reload', { tag: ['@visitor', '@hydration', '@smoke'] }, async ({ page, consoleErrors }) => {
  const home = new HomePage(page);
  await home.goto();
  await waitForHydration(page);
  // A value on `window` survives client-side navigation and is lost on a full page load.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await home.navLink('Find a doctor').click();
  await expect(page).toHaveURL(/\/doctors$/);
  const doctors = new DoctorsPage(page);
  await expect(doctors.doctor('Dr. Amelia Hart')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(consoleErrors).toEqual([]);
});

test('on a phone the menu button opens and closes the navigation', { tag: ['@visitor', '@smoke'] }, async ({ page, consoleErrors }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const home = new HomePage(page);
  await home.goto();
  await waitForHydration(page);

  await expect(home.navLink('Find a doctor')).toBeHidden();
  await home.menuButton.click();
  await expect(home.menuButton).toHaveAttribute('aria-expanded', 'true');
  await expect(home.navLink('Find a doctor')).toBeVisible();
  await page.screenshot({ path: 'test-results/home-phone-menu.png', fullPage: true });

  await home.navLink('Find a doctor').click();
  await expect(page).toHaveURL(/\/doctors$/);
  await expect(home.menuButton).toHaveAttribute('aria-expanded', 'false');
  expect(consoleErrors).toEqual([]);
});

test('searching from the home page finds a doctor by name', { tag: ['@visitor', '@directory', '@smoke'] }, async ({ page, consoleErrors }) => {
  const home = new HomePage(page);
  await home.goto();
  await home.searchBox.fill('nair');
  await home.searchBox.press('Enter');
  await expect(page).toHaveURL(/\/doctors\?q=nair$/);
  const doctors = new DoctorsPage(page);
  await expect(doctors.doctor('Dr. Priya Nair')).toBeVisible();
  await expect(doctors.results).toHaveCount(1);
  await page.screenshot({ path: 'test-results/doctors-search.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});

test('an unknown address shows the not-found page', { tag: ['@visitor', '@smoke'] }, async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'We could not find that page' })).toBeVisible();
});

for (const path of ['/', '/doctors']) {
  test(`axe finds no serious or critical accessibility violation on ${path}`, { tag: ['@visitor', '@a11y', '@smoke'] }, async ({ page }) => {
    await page.goto(path);
    await waitForHydration(page);
    await page.screenshot({ path: `test-results/desktop${path === '/' ? '-home' : path.replace('/', '-')}.png`, fullPage: true });
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    ).toEqual([]);
  });
}

test("a doctor's page shows the bio and this week's free times by day", { tag: ['@visitor', '@directory', '@smoke'] }, async ({ page, consoleErrors }) => {
  await page.goto('/doctors?q=hart');
  await page.getByRole('link', { name: 'Dr. Amelia Hart' }).click();
  await expect(page).toHaveURL(/\/doctors\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Dr. Amelia Hart', level: 1 })).toBeVisible();
  await expect(page.getByText('Consultant cardiologist')).toBeVisible();
  const weeks = page.getByRole('navigation', { name: 'Weeks of free times' });
  await expect(weeks).toContainText('This week');
  await expect(weeks.getByRole('link', { name: 'Next week →' })).toBeVisible();
  // Today to Sunday: one to seven days, each with its times or a word that it has none.
  expect(await page.locator('.slot-days > li').count()).toBeGreaterThan(0);
  await expect(page.locator('.slot-days .slot').first()).toHaveText(/^\d\d:\d\d/);
  await page.screenshot({ path: 'test-results/doctor-page.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});
