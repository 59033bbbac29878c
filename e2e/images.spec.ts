import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_ISO, expect, test } from './fixtures/server.ts';
import { ImagesPage } from './pages/ImagesPage.ts';
import { LoginPage } from './pages/LoginPage.ts';

/** Hidden work files among an images dir's entries (the store's id file is hidden too, and always there). */
const hiddenWork = (names: string[]): string[] =>
  names.filter((n) => n.startsWith('.') && n !== '.virtweb-store-id');

const MiB = 2 ** 20;
// Screenshots for people to look at; not test artefacts and not for git.
const shots = process.env.VIRTWEB_SCREENSHOT_DIR ?? path.join(tmpdir(), 'virtweb-e2e');

test('images are created, uploaded with a progress bar and sha256, resized and converted', async ({
  page,
  server,
}) => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'virtweb-e2e-upload-'));
  try {
    // 20 MiB made to look like an ISO 9660 image ("CD001" at 0x8001), so the list says "iso".
    const iso = Buffer.concat([randomBytes(0x8001), Buffer.from('CD001'), randomBytes(20 * MiB - 0x8006)]);
    const file = path.join(scratch, 'My Install Disc.iso');
    await writeFile(file, iso);
    const expectedSha = createHash('sha256').update(iso).digest('hex');

    await page.goto('/images');
    await new LoginPage(page).login(server.password);
    const images = new ImagesPage(page);
    await expect(images.heading).toBeVisible();
    await expect(images.row(TEST_ISO)).toContainText('iso');

    // Create: a validation error first, then a 64 MiB qcow2 and an overlay on it.
    await images.create({ name: '.bad', format: 'qcow2', size: '64M' });
    await expect(images.createForm.getByText('no "/" and no leading dot')).toBeVisible();
    await images.create({ name: 'e2e-disk.qcow2', format: 'qcow2', size: '64M' });
    await expect(images.row('e2e-disk.qcow2')).toContainText('64 MiB');
    await images.create({ name: 'e2e-overlay.qcow2', format: 'qcow2', size: '', backing: 'e2e-disk.qcow2' });
    await expect(images.row('e2e-overlay.qcow2')).toContainText('e2e-disk.qcow2');

    // Upload: the progress bar reaches 100% and the sha256 appears.
    await images.chooseFile(file);
    await expect(images.uploadForm.getByLabel('Upload as')).toHaveValue('My_Install_Disc.iso');
    await images.uploadForm.getByLabel('Upload as').fill('e2e-upload.iso');
    await images.uploadForm.getByRole('button', { name: 'Upload' }).click();
    const bar = images.uploadProgress('e2e-upload.iso');
    await expect(bar).toBeVisible();
    await expect(bar).toHaveJSProperty('value', 100);
    await expect(images.uploadDone()).toContainText('Uploaded e2e-upload.iso');
    await expect(images.sha256()).toHaveText(expectedSha);
    await expect(images.row('e2e-upload.iso')).toContainText('iso');
    await expect(images.row('e2e-upload.iso')).toContainText('20 MiB');
    expect(hiddenWork(await readdir(path.join(server.dataDir, 'images')))).toEqual([]);

    // Resize: growing is direct, shrinking needs the confirmation box.
    let dialog = await images.openDialog('e2e-disk.qcow2', 'Resize');
    await dialog.getByLabel('New size').fill('128M');
    await dialog.getByRole('button', { name: 'Resize' }).click();
    await expect(images.row('e2e-disk.qcow2')).toContainText('128 MiB');
    dialog = await images.openDialog('e2e-overlay.qcow2', 'Resize');
    await dialog.getByLabel('New size').fill('32M');
    await expect(dialog.getByRole('alert')).toContainText('deletes everything past');
    await dialog.getByRole('button', { name: 'Shrink' }).click();
    await expect(dialog.getByText('confirm the shrink below')).toBeVisible();
    await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Shrink' }).click();
    await expect(images.row('e2e-overlay.qcow2')).toContainText('32 MiB');

    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'images.png'), fullPage: true });

    // Convert with its dialog; the new image appears in the list.
    dialog = await images.openDialog('e2e-upload.iso', 'Convert');
    await dialog.getByLabel('Format').selectOption('qcow2');
    await expect(dialog.getByLabel('New image name')).toHaveValue('e2e-upload.qcow2');
    await dialog.getByRole('button', { name: 'Convert' }).click();
    await expect(dialog).toBeHidden();
    await expect(images.row('e2e-upload.qcow2')).toContainText('qcow2');

    // Delete asks first and is refused while the overlay depends on the disk.
    await images.row('e2e-disk.qcow2').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByText(/is the backing file of e2e-overlay\.qcow2/)).toBeVisible();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('an upload can be cancelled and leaves nothing behind', async ({ page, server }) => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'virtweb-e2e-cancel-'));
  try {
    await mkdir(shots, { recursive: true });
    const file = path.join(scratch, 'big.img');
    await writeFile(file, Buffer.alloc(400 * MiB, 3));
    await page.goto('/images');
    await new LoginPage(page).login(server.password);
    const images = new ImagesPage(page);
    // Slow the upload down so that there is time to cancel it.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * MiB,
    });
    await images.chooseFile(file);
    await images.uploadForm.getByRole('button', { name: 'Upload' }).click();
    const bar = images.uploadProgress('big.img');
    await expect(bar).toBeVisible();
    await expect.poll(() => bar.evaluate((el) => (el as HTMLProgressElement).value)).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(shots, 'images-uploading.png') });
    await images.uploadForm.getByRole('button', { name: 'Cancel upload' }).click();
    await expect(images.uploadForm.getByRole('alert')).toContainText('Upload cancelled');
    const leftovers = async () =>
      (await readdir(path.join(server.dataDir, 'images'))).filter(
        (n) => hiddenWork([n]).length > 0 || n === 'big.img',
      );
    await expect.poll(leftovers, { timeout: 15_000 }).toEqual([]);
    await expect(images.row('big.img')).toHaveCount(0);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
