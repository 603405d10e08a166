// The review journey: a patient reviews a completed visit (written into the database, so the
// visit is known exactly), the rating shows on the doctor's page and lifts the doctor in the
// directory's "Best rated" order, an admin hides the review, which takes the rating away, and
// the doctor sees it marked hidden. Pages are reached by their links and by fresh loads alike.
import { test, expect, waitForHydration } from './fixtures';
import { AccountPages, DoctorsPage, ReviewPages } from './pages';

import { demoPassword } from './secrets';

test('a patient reviews a completed visit, the rating counts, and an admin hides it', { tag: ['@patient', '@admin', '@reviews'] }, async ({ page, db, consoleErrors }) => {
  const tag = `${Date.now()}`.slice(-6);
  const comment = `Listened carefully and explained everything (${tag}).`;
  const doctorName = 'Dr. Amelia Hart';

  // A completed visit of Ann with Dr. Hart, on a past day no demo slot uses.
  const { rows } = await db.query(
    `WITH who AS (
       SELECT (SELECT id FROM users WHERE username = 'ann') AS patient,
              d.id AS doctor, d.consultation_fee AS fee, d.user_id
         FROM doctors d JOIN users u ON u.id = d.user_id WHERE u.username = 'dr.hart'),
     slot AS (
       INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
       SELECT doctor, current_date - (1 + $1::int % 365), '07:00', '07:30', FALSE, user_id FROM who
       RETURNING id, doctor_id)
     INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
     SELECT who.patient, who.doctor, slot.id, 'completed', who.fee FROM who, slot
     RETURNING doctor_id`,
    [Number(tag)],
  );
  const doctorId: number = rows[0].doctor_id;

  // Before: every demo doctor is unrated, and Dr. Hart, added first, comes last among equals.
  const directory = new DoctorsPage(page);
  await page.goto('/doctors?sort=rating');
  await waitForHydration(page);
  await expect(directory.results.first()).not.toContainText(doctorName);

  const account = new AccountPages(page);
  const reviews = new ReviewPages(page);
  await account.signIn('ann', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Your reviews' })).toBeVisible();
  await waitForHydration(page);
  await account.header.getByRole('link', { name: 'Your reviews' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your reviews' })).toBeVisible();
  const form = reviews.reviewForm(doctorName);
  await expect(form).toBeVisible();

  await form.screenshot({ path: 'test-results/review-form-empty.png' });

  // Posting without stars is refused beside the stars; the browser asks first, so skip its check.
  await form.evaluate((el) => el.querySelector('form')?.setAttribute('novalidate', ''));
  await form.getByRole('button', { name: 'Post review' }).click();
  await expect(form.getByText('Choose a rating from 1 to 5 stars.')).toBeVisible();
  // Leaving and coming back (a fresh load) starts a fresh form.
  await reviews.navLink('Find a doctor').click();
  await expect(page).toHaveURL(/\/doctors$/);
  await page.goto('/reviews');
  await waitForHydration(page);
  await expect(form.getByText('Choose a rating from 1 to 5 stars.')).toHaveCount(0);

  // The stars are radio buttons: the keyboard moves between them.
  await form.getByRole('radio', { name: '1 star' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(form.getByRole('radio', { name: '2 stars' })).toBeChecked();
  await form.getByLabel('Comment (optional)').fill(comment);
  await form.getByRole('radio', { name: '4 stars' }).check();
  await form.screenshot({ path: 'test-results/review-form.png' });
  await reviews.postReview(doctorName, { stars: 5, comment });
  await expect(reviews.written().filter({ hasText: comment })).toBeVisible();
  await expect(reviews.reviewForm(doctorName)).toHaveCount(0);
  await expect(reviews.written().filter({ hasText: comment })).toContainText('You can change it until');
  await page.screenshot({ path: 'test-results/reviews-patient.png', fullPage: true });

  // The doctor's page: 5.0 from 1 review, the bar for 5 stars, and the review signed "Ann L.".
  await reviews.written().filter({ hasText: comment }).getByRole('link', { name: doctorName }).click();
  await expect(page).toHaveURL(new RegExp(`/doctors/${doctorId}#reviews$`));
  const panel = reviews.reviewsPanel();
  await expect(panel.locator('.rating-number')).toHaveText('5.0');
  await expect(panel.locator('.rating-count')).toHaveText('1 review');
  await expect(panel.locator('.rating-bar-row').first()).toContainText('5 stars');
  await expect(panel.locator('.rating-bar-row').first()).toContainText('1');
  await expect(panel.getByText(comment)).toBeVisible();
  await expect(panel.getByText('Ann L.', { exact: false })).toBeVisible();
  await panel.screenshot({ path: 'test-results/doctor-rating-summary.png' });
  // The star filter is a plain link: one star shows none of hers.
  await panel.getByRole('link', { name: '1 ★' }).click();
  await expect(page).toHaveURL(/stars=1/);
  await expect(panel.getByText('No reviews with this rating.')).toBeVisible();

  // The directory's "Best rated" order now starts with Dr. Hart.
  await reviews.navLink('Find a doctor').click();
  await directory.search({ sort: 'Best rated' });
  await expect(page).toHaveURL(/sort=rating/);
  await expect(directory.results.first()).toContainText(doctorName);
  await expect(directory.results.first()).toContainText('★ 5.0');

  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  // An admin hides it with a reason; the average drops back.
  await account.signIn('admin', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Admin', exact: true })).toBeVisible();
  await waitForHydration(page);
  await page.goto('/admin/reviews');
  await waitForHydration(page);
  await page.getByLabel("Doctor's name").fill('hart');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/admin\/reviews\?q=hart/);
  await expect(reviews.adminRow(comment)).toBeVisible();
  await reviews.hide(comment, 'Test of moderation');
  await expect(reviews.adminRow(comment)).toContainText('by admin: Test of moderation');
  await expect(reviews.adminRow(comment).getByRole('button', { name: 'Restore' })).toBeVisible();
  await page.screenshot({ path: 'test-results/admin-reviews.png', fullPage: true });

  await reviews.adminRow(comment).getByRole('link', { name: doctorName }).click();
  await expect(page).toHaveURL(new RegExp(`/doctors/${doctorId}#reviews$`));
  await expect(panel.getByText('No reviews yet').first()).toBeVisible();
  await expect(panel.getByText(comment)).toHaveCount(0);
  await reviews.navLink('Find a doctor').click();
  await directory.search({ sort: 'Best rated' });
  await expect(page).toHaveURL(/sort=rating/);
  await expect(directory.results.first()).not.toContainText(doctorName);
  await account.signOut();
  await expect(account.header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  // The doctor sees the review among theirs, marked hidden with the reason.
  await account.signIn('dr.hart', demoPassword);
  await expect(account.header.getByRole('link', { name: 'Your reviews' })).toBeVisible();
  await waitForHydration(page);
  await account.header.getByRole('link', { name: 'Your reviews' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your reviews' })).toBeVisible();
  const received = page.locator('.review', { hasText: comment });
  await expect(received).toContainText('Hidden by the clinic: Test of moderation');
  await expect(received).toContainText('Ann L.');
  await page.screenshot({ path: 'test-results/reviews-doctor.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});
