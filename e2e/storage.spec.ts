import { axeViolations } from './fixtures/axe.ts';
import { logIn } from './fixtures/pages.ts';
import { TEST_ISO, asTheApp, expect, test } from './fixtures/server.ts';

// virt-manager's "Add Hardware → Storage" on the Storage tab: a new image made for the disk, on the bus chosen,
// listed with its bus and options. A stopped guest: nothing needs to boot.
test.use({ viewport: { width: 1280, height: 900 } });

test('Storage tab: add a new SATA disk and a read-only virtio disk; the table shows their buses', async ({
  page,
  server,
}) => {
  test.setTimeout(60_000);
  await logIn(page, server);
  const created = await page.request.post('/api/vms', {
    headers: asTheApp(server),
    data: { name: 'disks', memoryMiB: 128, vcpus: 1, cdrom: TEST_ISO, nics: [] },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/vms/${id}?tab=storage`);

  const form = page.getByRole('form', { name: 'Add a disk to disks' });
  await expect(form.getByRole('radio', { name: 'Create a new image' })).toBeChecked();
  await expect(form.getByLabel('Name')).toHaveValue('disks-disk0.qcow2');
  await form.getByLabel('Size').fill('32M');
  await form.getByLabel('Bus').selectOption('sata');
  // SATA cannot be read-only: said at the box before anything is sent.
  await form.getByLabel('Read-only').check();
  await expect(form.getByLabel('Read-only')).toHaveAccessibleDescription(/SATA disk cannot be read-only/);
  await form.getByLabel('Read-only').uncheck();
  await form.getByRole('button', { name: 'Add disk' }).click();

  const table = page.getByRole('table', { name: 'Disks' });
  const row = (image: string) =>
    table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: image }) });
  await expect(row('disks-disk0.qcow2')).toContainText('SATA');
  await expect(row('disks-disk0.qcow2')).toContainText('32 MiB');

  await expect(form.getByLabel('Name')).toHaveValue('disks-disk1.qcow2');
  await form.getByLabel('Name').fill('disks-ro.img');
  await form.getByLabel('Format').selectOption('raw');
  await form.getByLabel('Size').fill('8M');
  await form.getByLabel('Bus').selectOption('virtio');
  await form.getByLabel('Cache mode').selectOption('none');
  await form.getByLabel('Read-only').check();
  await form.getByRole('button', { name: 'Add disk' }).click();
  await expect(row('disks-ro.img')).toContainText('VirtIO');
  await expect(row('disks-ro.img')).toContainText('none, read-only');

  const vm = (await (await page.request.get(`/api/vms/${id}`)).json()) as { disks: unknown[] };
  expect(vm.disks).toEqual([
    { image: 'disks-disk0.qcow2', index: 0, format: 'qcow2', bus: 'sata' },
    { image: 'disks-ro.img', index: 1, format: 'raw', bus: 'virtio', cache: 'none', readOnly: true },
  ]);
  expect(await axeViolations(page)).toEqual([]);
});
