// The availability journey: a doctor plans next week's slots with a lunch break, previews and
// creates them, sees them in the week calendar (on a desktop and on a phone), deletes one day's
// free slots, and a visitor then sees the new times on the doctor's public page.
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages, SlotsPage } from './pages';

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

test('a doctor plans a week with a lunch break, manages it, and visitors see the new times', { tag: ['@doctor', '@slots'] }, async ({ page, db, consoleErrors }) => {
  // Next week, Monday to Friday (the public page's second week). Dr. Silva (a demo doctor)
  // works mornings 09:00-12:00 there already, so those are reported as overlapping.
  const today = new Date();
  const toMonday = ((8 - today.getUTCDay()) % 7) || 7;
  const monday = dayFromToday(toMonday);
  const wednesday = dayFromToday(toMonday + 2);
  const friday = dayFromToday(toMonday + 4);
  const account = new AccountPages(page);
  const slots = new SlotsPage(page);

  await account.signIn('dr.silva', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Your slots' })).toBeVisible();
  await waitForHydration(page);
  await account.header.getByRole('link', { name: 'Your slots' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your slots' })).toBeVisible();
  await expect(slots.calendar.locator('.week-day.today')).toHaveAttribute('aria-current', 'date');
  await page.screenshot({ path: 'test-results/slots-this-week.png' });

  await slots.planSlots({
    from: iso(monday),
    to: iso(friday),
    dayStart: '09:00',
    dayEnd: '17:00',
    minutes: '30',
    breakStart: '12:00',
    breakEnd: '13:00',
  });
  const preview = page.locator('.bulk-preview');
  await expect(preview.getByRole('heading', { name: '40 slots on 5 days' })).toBeVisible();
  await expect(preview).toContainText('30 slots left out: they overlap slots you already have');
  await page.screenshot({ path: 'test-results/slots-preview.png', fullPage: true });
  await preview.getByRole('button', { name: 'Create 40 slots' }).click();
  await expect(page.getByText('Created 40 slots on 5 days.')).toBeVisible();

  // Next week in the calendar: the morning and the afternoon, nothing in the lunch hour.
  await slots.calendar.getByRole('link', { name: 'Next week →' }).click();
  await expect(page).toHaveURL(/\?week=\d{4}-\d{2}-\d{2}$/);
  await expect(slots.day(iso(monday)).getByText('13:00–13:30')).toBeVisible();
  for (const day of [monday, wednesday, friday]) {
    const times = await slots.times(iso(day));
    expect(times).toContain('09:00–09:30');
    expect(times).toContain('16:30–17:00');
    expect(times.filter((t) => t.startsWith('12:'))).toEqual([]);
    expect(times).toHaveLength(14);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/slots-calendar-desktop.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/slots-calendar-phone.png' });
  await page.screenshot({ path: 'test-results/slots-calendar-phone-full.png', fullPage: true });
  await slots.bulkForm.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/slots-forms-phone.png' });
  await page.setViewportSize({ width: 1280, height: 900 });

  // A slot opens with the keyboard and can be blocked; then Wednesday's free slots go.
  const chip = slots.day(iso(monday)).locator('details', { hasText: '13:00–13:30' });
  await chip.locator('summary').focus();
  await page.keyboard.press('Enter');
  await chip.getByRole('button', { name: 'Mark unavailable' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(slots.day(iso(monday)).locator('details', { hasText: '13:00–13:30' })).toContainText('Unavailable');
  await slots.day(iso(wednesday)).getByRole('button', { name: `Delete free slots on ${longDate(wednesday)}` }).click();
  await expect(page.getByText('Deleted 14 free slots.')).toBeVisible();
  await expect(slots.day(iso(wednesday))).toContainText('No slots');
  await page.screenshot({ path: 'test-results/slots-after-delete.png', fullPage: true });

  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  // A visitor sees the new afternoon times, not Wednesday, and not the blocked slot.
  const { rows } = await db.query(
    "SELECT d.id FROM doctors d JOIN users u ON u.id = d.user_id WHERE u.username = 'dr.silva'",
  );
  await page.goto(`/doctors/${rows[0].id}`);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Next week →' }).click();
  await expect(page).toHaveURL(new RegExp(`\\?week=${iso(monday)}`));
  const mondayTimes = page.getByRole('list', { name: `Free times on ${longDate(monday)}` });
  await expect(mondayTimes).toContainText('16:30');
  const mondaySlots = await mondayTimes.locator('li').allTextContents();
  expect(mondaySlots.some((t) => t.startsWith('13:30'))).toBe(true);
  expect(mondaySlots.some((t) => t.startsWith('13:00')), 'the blocked slot is not offered').toBe(false);
  expect(mondaySlots.some((t) => t.startsWith('12:')), 'nothing in the lunch break').toBe(false);
  await expect(page.getByRole('list', { name: `Free times on ${longDate(friday)}` })).toContainText('14:00');
  await expect(page.getByRole('list', { name: `Free times on ${longDate(wednesday)}` })).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
