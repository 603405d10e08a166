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
