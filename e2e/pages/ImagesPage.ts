import type { Locator, Page } from '@playwright/test';

/** The Images page: the table, the create form, the upload panel and the row dialogs. */
export class ImagesPage {
  readonly heading: Locator;
  readonly createForm: Locator;
  readonly uploadForm: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Images', level: 1 });
    this.createForm = page.getByRole('form', { name: 'Create a disk image' });
    this.uploadForm = page.getByRole('form', { name: 'Upload an ISO or disk image' });
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Images' }).click();
  }

  /** The table row of an image (its row header is the image name). */
  row(name: string): Locator {
    return this.page
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: false }) });
  }

  async create(opts: { name: string; format: string; size: string; backing?: string }): Promise<void> {
    const form = this.createForm;
    await form.getByLabel('Image name').fill(opts.name);
    await form.getByLabel('Format').selectOption(opts.format);
    await form.getByLabel('Backing image').selectOption(opts.backing ?? '');
    await form.getByLabel('Size').fill(opts.size);
    await form.getByRole('button', { name: 'Create image' }).click();
  }

  /** Picks a file in the upload panel (as the file input would) and optionally renames it. */
  async chooseFile(file: string, as?: string): Promise<void> {
    await this.uploadForm.getByLabel('File').setInputFiles(file);
    if (as !== undefined) await this.uploadForm.getByLabel('Upload as').fill(as);
  }

  uploadProgress(name: string): Locator {
    return this.uploadForm.getByRole('progressbar', { name: `Uploading ${name}` });
  }

  /** The message shown when an upload is complete. */
  uploadDone(): Locator {
    return this.uploadForm.getByRole('status').filter({ hasText: 'Uploaded' });
  }

  sha256(): Locator {
    return this.uploadForm.getByLabel('sha256');
  }

  /** Opens a row's dialog ("Resize", "Convert"). */
  async openDialog(name: string, action: 'Resize' | 'Convert'): Promise<Locator> {
    await this.row(name)
      .getByRole('button', { name: `${action} ${name}` })
      .click();
    return this.page.getByRole('dialog', { name: `${action} ${name}` });
  }
}
