import type { Locator, Page } from '@playwright/test';

export class HostPage {
  readonly verdict: Locator;

  constructor(private readonly page: Page) {
    this.verdict = page.getByRole('heading', { name: 'Accelerator for new guests (auto)' }).locator('..');
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  }

  /** The value next to a label in the description lists ("/dev/kvm", "KVM probe", ...). */
  fact(label: string): Locator {
    const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
    return this.page.locator('dt').filter({ hasText: exact }).locator('xpath=following-sibling::dd[1]');
  }
}
