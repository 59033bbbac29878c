import type { Locator, Page } from '@playwright/test';

/** The Settings tab of a guest, the pending-changes banner and the clone and delete dialogs of its page. */
export class SettingsTab {
  readonly form: Locator;
  readonly save: Locator;
  readonly pendingBanner: Locator;
  readonly commandLineFold: Locator;
  readonly commandLine: Locator;

  constructor(private readonly page: Page) {
    this.form = page.getByRole('form', { name: /^Settings of / });
    this.save = this.form.getByRole('button', { name: 'Save settings' });
    this.pendingBanner = page.getByRole('status', { name: 'Pending settings' });
    this.commandLineFold = page.getByText('qemu command line of the next start', { exact: true });
    this.commandLine = page.getByLabel('qemu command line of the next start');
  }

  async goto(id: string): Promise<void> {
    await this.page.goto(`/vms/${id}?tab=settings`);
  }

  /** A control of the form by its label ("Memory (MiB)", "vCPUs", "Bus of a.qcow2"). */
  field(label: string): Locator {
    return this.form.getByLabel(label, { exact: true });
  }

  /** Fills several fields by label. */
  async fillAll(fields: Record<string, string>): Promise<void> {
    for (const [label, value] of Object.entries(fields)) await this.field(label).fill(value);
  }

  /** The toolbar button of the VM page ("Clone", "Delete") that opens a dialog, and that dialog. */
  async openDialog(button: 'Clone' | 'Delete', title: string): Promise<Locator> {
    await this.page.getByRole('group', { name: 'Lifecycle' }).getByRole('button', { name: button }).click();
    return this.page.getByRole('dialog', { name: title });
  }
}
