import type { Locator, Page } from '@playwright/test';

export class HostPage {
  readonly verdict: Locator;

  constructor(private readonly page: Page) {
    this.verdict = page.getByRole('heading', { name: 'Accelerator for new guests (auto)' }).locator('..');
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  }

  /** Renames the server from its form, with the keyboard only. */
  async rename(name: string): Promise<void> {
    const field = this.page.getByLabel('Display name');
    await field.focus();
    await field.press('ControlOrMeta+a');
    await field.pressSequentially(name);
    await field.press('Enter');
  }

  /** The value next to a label in the description lists ("/dev/kvm", "KVM probe", ...). */
  fact(label: string): Locator {
    const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
    return this.page.locator('dt').filter({ hasText: exact }).locator('xpath=following-sibling::dd[1]');
  }
}
