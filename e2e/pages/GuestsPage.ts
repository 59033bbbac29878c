import type { Locator, Page } from '@playwright/test';

export class GuestsPage {
  readonly heading: Locator;
  readonly emptyState: Locator;
  readonly newVm: Locator;
  readonly liveIndicator: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Guests', level: 1 });
    this.emptyState = page.getByRole('heading', { name: 'No guests yet' });
    this.newVm = page.getByRole('link', { name: 'New VM' });
    this.liveIndicator = page.getByRole('status').filter({ hasText: 'Live' });
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Guests' }).click();
  }

  /** The table row of a guest (its accessible name starts with the guest's name). */
  row(name: string): Locator {
    return this.page
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** The cell of a guest's row under a column heading (the table labels each cell with its heading). */
  cell(name: string, column: string): Locator {
    return this.row(name).locator(`td[data-label="${column}"]`);
  }

  button(name: string, label: string): Locator {
    return this.row(name).getByRole('button', { name: label });
  }

  /** Clicks a destructive row action and confirms it in the dialog. */
  async confirm(name: string, label: string): Promise<void> {
    await this.button(name, label).click();
    await this.page.getByRole('dialog').getByRole('button', { name: label, exact: true }).click();
  }
}
