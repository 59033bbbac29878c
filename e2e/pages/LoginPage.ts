import type { Locator, Page } from '@playwright/test';

export class LoginPage {
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(private readonly page: Page) {
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('button', { name: 'Log in' });
    this.error = page.getByRole('alert');
  }

  async goto(): Promise<void> {
    await this.page.goto('/login');
  }

  /** Types the password and submits with Enter (as a keyboard user would). */
  async login(password: string): Promise<void> {
    await this.password.fill(password);
    await this.password.press('Enter');
  }
}
