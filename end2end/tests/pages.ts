// Page objects: selectors live here, so a changed page is fixed in one place.
import { Page, Locator } from '@playwright/test';
import { waitForHydration } from './fixtures';

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
    await form.getByLabel('Password').fill(user.password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  async enterCode(code: string) {
    await this.page.getByLabel('Code', { exact: true }).fill(code);
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }

  async signIn(identifier: string, password: string) {
    await this.page.goto('/sign-in');
    await this.page.getByLabel('Username or email').fill(identifier);
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
