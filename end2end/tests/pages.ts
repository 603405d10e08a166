// Page objects: selectors live here, so a changed page is fixed in one place.
import { Page, Locator } from '@playwright/test';

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

  constructor(page: Page) {
    super(page);
    this.results = page.locator('.doctor-list > li');
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
