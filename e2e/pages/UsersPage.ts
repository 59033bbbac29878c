import type { Locator, Page } from '@playwright/test';

/** The admin's Users page. */
export class UsersPage {
  readonly heading: Locator;
  readonly name: Locator;
  readonly password: Locator;
  readonly create: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Users', level: 1 });
    this.name = page.getByLabel('User name');
    this.password = page.getByLabel('First password');
    this.create = page.getByRole('button', { name: 'Create user' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/users');
  }

  /** Creates a user with the form. */
  async createUser(name: string, password: string, role: 'Read' | 'Operate' | 'Admin'): Promise<void> {
    await this.name.fill(name);
    await this.password.fill(password);
    await this.page.getByRole('radio', { name: role }).check();
    await this.create.click();
  }

  /** A user's row in the table. */
  row(name: string): Locator {
    return this.page
      .getByRole('table', { name: 'Users' })
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${name}( \\(you\\))?$`) }) });
  }

  role(name: string): Locator {
    return this.page.getByLabel(`Role of ${name}`);
  }
}
