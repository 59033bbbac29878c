import type { Locator, Page } from '@playwright/test';

/** The Networks page and a network's own page. */
export class NetworksPage {
  readonly heading: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Networks', level: 1 });
  }

  async goto(): Promise<void> {
    await this.page.goto('/networks');
  }

  /** Fills and sends the New network form with the keyboard's fields. */
  async create(name: string, kind: 'NAT' | 'Isolated', subnet: string): Promise<void> {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    await this.page.getByRole('radio', { name: kind }).check();
    await this.page.getByLabel('Subnet').fill(subnet);
    await this.page.getByLabel('Subnet').press('Enter');
  }

  row(name: string): Locator {
    return this.page.getByTestId(`network-${name}`);
  }
}
