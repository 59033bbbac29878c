import type { Locator, Page } from '@playwright/test';

export class LoginPage {
  readonly username: Locator;
  readonly password: Locator;
  readonly code: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(private readonly page: Page) {
    this.username = page.getByLabel('User name');
    this.password = page.getByLabel('Password');
    this.code = page.getByLabel('Authenticator code');
    this.submit = page.getByRole('button', { name: 'Log in' });
    this.error = page.getByRole('alert');
  }

  async goto(): Promise<void> {
    await this.page.goto('/login');
  }

  /** Types the password (and the user name when given) and submits with Enter (as a keyboard user would). */
  async login(password: string, username?: string): Promise<void> {
    if (username !== undefined) await this.username.fill(username);
    await this.password.fill(password);
    await this.password.press('Enter');
  }
}
