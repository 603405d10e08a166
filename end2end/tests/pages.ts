// Page objects: selectors live here, so a changed page is fixed in one place.
import { Page, Locator } from '@playwright/test';
import { waitForHydration } from './fixtures';
import { recordSecret } from './secrets';

export class Layout {
  readonly menuButton: Locator;
  readonly nav: Locator;

  constructor(readonly page: Page) {
    this.menuButton = page.getByRole('button', { name: 'Menu' });
    this.nav = page.getByRole('navigation', { name: 'Main' });
  }

  navLink(name: string): Locator {
    return this.nav.getByRole('link', { name });
  }
}

export class HomePage extends Layout {
  readonly specialties: Locator;
  readonly searchBox: Locator;

  constructor(page: Page) {
    super(page);
    this.specialties = page.locator('#specialties');
    this.searchBox = page.getByRole('searchbox', { name: "Doctor's name" });
  }

  async goto() {
    await this.page.goto('/');
  }

  specialtyCard(name: string): Locator {
    return this.specialties.getByRole('link', { name: new RegExp(name) });
  }
}

export class DoctorsPage extends Layout {
  readonly results: Locator;
  readonly filters: Locator;

  constructor(page: Page) {
    super(page);
    this.results = page.locator('.doctor-list > li');
    this.filters = page.getByRole('search');
  }

  async search(filters: { name?: string; specialty?: string; sort?: string }) {
    if (filters.name !== undefined) await this.filters.getByLabel('Name').fill(filters.name);
    if (filters.specialty) await this.filters.getByLabel('Specialty').selectOption({ label: filters.specialty });
    if (filters.sort) await this.filters.getByLabel('Sort by').selectOption({ label: filters.sort });
    await this.filters.getByRole('button', { name: 'Search' }).click();
  }

  doctor(name: string): Locator {
    return this.page.getByRole('heading', { name });
  }
}

export class AccountPages extends Layout {
  readonly header: Locator;

  constructor(page: Page) {
    super(page);
    this.header = page.locator('header');
  }

  async register(user: { username: string; email: string; password: string }) {
    await this.page.goto('/register');
    const form = this.page.locator('form');
    await form.getByLabel('First name').fill('Ann');
    await form.getByLabel('Last name').fill('Lee');
    await form.getByLabel('Username').fill(user.username);
    await form.getByLabel('Email').fill(user.email);
    await form.getByLabel('Phone').fill('+44 20 7946 0001');
    recordSecret('password', user.password);
    await form.getByLabel('Password').fill(user.password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  async enterCode(code: string) {
    await this.page.getByLabel('Code', { exact: true }).fill(code);
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }

  async signIn(identifier: string, password: string) {
    // Leaving a page while it still asks the server something cancels that request, which the
    // console-error fixture reports: let the current page finish first.
    await this.page.waitForLoadState('networkidle');
    await this.page.goto('/sign-in');
    // Submitted before the bundle has loaded, the form posts the old-fashioned way and the
    // navigation cancels the bundle's download, which the console-error fixture reports.
    await waitForHydration(this.page);
    await this.page.getByLabel('Username or email').fill(identifier);
    recordSecret('password', password);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async signOut() {
    await this.header.getByRole('button', { name: 'Sign out' }).click();
  }
}

export class AdminPages extends Layout {
  constructor(page: Page) {
    super(page);
  }

  async addSpecialty(name: string, description: string) {
    await this.page.goto('/admin/specialties');
    await waitForHydration(this.page);
    const form = this.page.locator('form', { has: this.page.getByRole('button', { name: 'Add specialty' }) });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Description').fill(description);
    await form.getByRole('button', { name: 'Add specialty' }).click();
  }

  specialtyRow(name: string): Locator {
    return this.page.locator(`li[data-specialty="${name}"]`);
  }

  async onboardDoctor(doctor: {
    firstName: string;
    lastName: string;
    email: string;
    specialty: string;
    license: string;
    years: string;
    fee: string;
    bio: string;
  }) {
    await this.page.goto('/admin/doctors/new');
    await waitForHydration(this.page);
    const form = this.page.locator('form');
    await form.getByLabel('First name').fill(doctor.firstName);
    await form.getByLabel('Last name').fill(doctor.lastName);
    await form.getByLabel('Email').fill(doctor.email);
    await form.getByLabel('Specialty').selectOption({ label: doctor.specialty });
    await form.getByLabel('License number').fill(doctor.license);
    await form.getByLabel('Years of experience').fill(doctor.years);
    await form.getByLabel('Consultation fee ($)').fill(doctor.fee);
    await form.getByLabel('Bio').fill(doctor.bio);
    await form.getByRole('button', { name: 'Create and send invitation' }).click();
  }
}

export class SlotsPage extends Layout {
  readonly calendar: Locator;
  readonly bulkForm: Locator;

  constructor(page: Page) {
    super(page);
    this.calendar = page.locator('.slot-calendar');
    this.bulkForm = page.getByRole('form', { name: 'Plan slots' });
  }

  /** The column of one day, by its ISO date. */
  day(isoDate: string): Locator {
    return this.calendar.locator(`.week-day[data-date="${isoDate}"]`);
  }

  /** The "09:00–09:30" labels of one day's slots. */
  async times(isoDate: string): Promise<string[]> {
    return this.day(isoDate).locator('.slot-time').allTextContents();
  }

  async planSlots(plan: { from: string; to: string; dayStart: string; dayEnd: string; minutes: string; breakStart?: string; breakEnd?: string }) {
    const form = this.bulkForm;
    await form.getByLabel('From', { exact: true }).fill(plan.from);
    await form.getByLabel('To', { exact: true }).fill(plan.to);
    await form.getByLabel('Day starts').fill(plan.dayStart);
    await form.getByLabel('Day ends').fill(plan.dayEnd);
    await form.getByLabel('Slot length (minutes)').fill(plan.minutes);
    if (plan.breakStart) await form.getByLabel('Break starts').fill(plan.breakStart);
    if (plan.breakEnd) await form.getByLabel('Break ends').fill(plan.breakEnd);
    await form.getByRole('button', { name: 'Preview' }).click();
  }
}

export class ReviewPages extends Layout {
  constructor(page: Page) {
    super(page);
  }

  /** The review form of the visit with `doctor` on the patient's "Your reviews" page. */
  reviewForm(doctor: string): Locator {
    return this.page.locator('.review-form-panel', { has: this.page.getByRole('heading', { name: doctor }) });
  }

  async postReview(doctor: string, review: { stars: number; comment: string; anonymous?: boolean }) {
    const form = this.reviewForm(doctor);
    await form.getByRole('radio', { name: review.stars === 1 ? '1 star' : `${review.stars} stars` }).check();
    await form.getByLabel('Comment (optional)').fill(review.comment);
    if (review.anonymous) await form.getByLabel('Post anonymously').check();
    await form.getByRole('button', { name: 'Post review' }).click();
  }

  /** The patient's written reviews. */
  written(): Locator {
    return this.page.locator('.own-reviews > li');
  }

  /** The doctor page's rating summary and review list. */
  reviewsPanel(): Locator {
    return this.page.locator('#reviews');
  }

  /** A review in the admin's moderation list, found by its comment. */
  adminRow(comment: string): Locator {
    return this.page.locator('.review-row', { hasText: comment });
  }

  async hide(comment: string, reason: string) {
    const row = this.adminRow(comment);
    await row.getByLabel('Reason for hiding').fill(reason);
    await row.getByRole('button', { name: 'Hide' }).click();
  }
}

export class DashboardPages extends Layout {
  readonly header: Locator;

  constructor(page: Page) {
    super(page);
    this.header = page.locator('header');
  }

  /** The number of one key figure (`data-figure` on the page), as shown. */
  figure(name: string): Locator {
    return this.page.locator(`[data-figure="${name}"] .stat-value, .stat-value[data-figure="${name}"], p[data-figure="${name}"]`);
  }

  chart(id: string): Locator {
    return this.page.locator(`figure#${id}`);
  }

  agenda(label: string): Locator {
    return this.page.getByRole('list', { name: label });
  }
}

export class UsersAdminPage extends Layout {
  readonly filters: Locator;

  constructor(page: Page) {
    super(page);
    this.filters = page.getByRole('search');
  }

  async search(filters: { text?: string; role?: string; status?: string }) {
    if (filters.text !== undefined) await this.filters.getByLabel('Name, username or email').fill(filters.text);
    if (filters.role) await this.filters.getByLabel('Role').selectOption({ label: filters.role });
    if (filters.status) await this.filters.getByLabel('Status').selectOption({ label: filters.status });
    await this.filters.getByRole('button', { name: 'Search' }).click();
  }

  /** The table row of one account, found by its username. */
  row(username: string): Locator {
    return this.page.locator('tr[data-user]', { hasText: `${username} ·` });
  }

  auditRows(): Locator {
    return this.page.locator('.audit-table tbody tr');
  }
}
