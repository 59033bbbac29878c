import type { Locator, Page } from '@playwright/test';

/** The "Migrate…" dialog of a VM page: target host, options, the server's checks, Migrate/Move. */
export class MigrateDialog {
  readonly dialog: Locator;
  readonly checks: Locator;
  readonly problems: Locator;
  readonly passed: Locator;

  constructor(private readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: /to another host/ });
    this.checks = this.dialog.getByRole('list', { name: 'Preconditions' });
    this.passed = this.checks.getByRole('listitem').filter({ hasText: 'passed:' });
    this.problems = this.checks.getByRole('listitem').filter({ hasText: 'problem:' });
  }

  async open(): Promise<void> {
    await this.page.getByRole('button', { name: 'Migrate…' }).click();
  }

  peer(name: string): Locator {
    return this.dialog.getByRole('radio', { name, exact: true });
  }

  checkbox(label: 'Copy storage' | 'Keep the definition here'): Locator {
    return this.dialog.getByRole('checkbox', { name: label });
  }

  /** Unfolds "Options" and types a bandwidth limit in MiB/s. */
  async limitBandwidth(mibPerSecond: number): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Options' }).click();
    await this.dialog.getByLabel('Bandwidth limit (MiB/s)').fill(String(mibPerSecond));
  }

  /** "Migrate" for a running guest, "Move" for a stopped one. */
  submit(kind: 'Migrate' | 'Move'): Locator {
    return this.dialog.getByRole('button', { name: kind, exact: true });
  }
}

/** The progress area and the result line of a VM page while and after a job runs. */
export class JobArea {
  constructor(private readonly page: Page) {}

  progressBar(title: string | RegExp): Locator {
    return this.page.getByRole('progressbar', { name: title });
  }

  /** The Cancel button of the running job's panel. */
  cancel(title: string | RegExp): Locator {
    return this.page.getByRole('region', { name: title }).getByRole('button', { name: 'Cancel' });
  }

  outcome(text: string | RegExp): Locator {
    return this.page.getByRole('status').filter({ hasText: text });
  }
}
