import { defineGuest, logIn } from './fixtures/pages.ts';
import { TEST_ISO, asTheApp, expect, test } from './fixtures/server.ts';
import { ImagesPage } from './pages/ImagesPage.ts';
import { GuestsPage } from './pages/GuestsPage.ts';
import { VmPage } from './pages/VmPage.ts';

// The guests list as a home page: the host at a glance, tags and notes, a filter, bulk actions; and
// "start with the host" on the Settings tab.
test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 900 } });

test('host summary, tags and notes, filter and bulk start / power off', async ({ page, server }) => {
  test.setTimeout(180_000);
  await logIn(page, server);
  const webId = await defineGuest(page, server, 'list-web');
  await defineGuest(page, server, 'list-db');
  await defineGuest(page, server, 'list-mail');
  await page.goto('/vms');
  const guests = new GuestsPage(page);

  // The host at a glance: load from the events socket, storage and the accelerator from /api/host.
  const summary = page.getByRole('region', { name: 'This host' });
  await expect(summary).toContainText(/CPU\s*\d+(\.\d)?% busy · \d+ cores?/);
  await expect(summary).toContainText(/Memory\s*[\d.]+ \w+ used of [\d.]+ \w+/);
  await expect(summary).toContainText(/Free storage\s*[\d.]+ \w+ of [\d.]+ \w+/);
  await expect(summary).toContainText(/Accelerator\s*TCG/);
  await expect(summary).toContainText('3 guests: 3 stopped');

  // Tags and notes from the guest's Overview, with the keyboard; a bad tag is named.
  const vm = new VmPage(page, 'list-web');
  await vm.goto(webId);
  await page.getByRole('button', { name: 'Edit tags and notes' }).click();
  const tags = page.getByRole('textbox', { name: 'Tags', exact: true });
  await tags.fill('web front end!');
  await page.getByRole('textbox', { name: 'Notes' }).fill('nginx\nport 8080');
  await page.getByRole('button', { name: 'Save tags and notes' }).click();
  await expect(page.getByText('"end!": a tag is 1-32 letters')).toBeVisible();
  await tags.fill('web front');
  await tags.press('Enter');
  await expect(page.getByRole('list', { name: 'Tags' })).toHaveText(/web\s*front/);
  await expect(page.getByText('nginx\nport 8080')).toBeVisible();

  // The list shows the tags; the filter narrows by name, tag or state.
  await guests.open();
  await expect(page.getByRole('list', { name: 'Tags of list-web' })).toContainText('front');
  const filter = page.getByRole('searchbox', { name: 'Filter' });
  await filter.fill('tag:web');
  await expect(guests.row('list-web')).toBeVisible();
  await expect(guests.row('list-db')).toHaveCount(0);
  await filter.fill('nothing-like-this');
  await expect(page.getByText('No guest matches “nothing-like-this”.')).toBeVisible();
  await filter.fill('list-');

  // Bulk: select two, start both; then power off both (confirmed).
  await page.getByRole('checkbox', { name: 'Select list-web' }).check();
  await page.getByRole('checkbox', { name: 'Select list-db' }).check();
  const bulk = page.getByRole('group', { name: 'Selected guests' });
  await expect(bulk).toContainText('2 selected');
  await expect(bulk.getByRole('button', { name: 'Power off 0' })).toBeDisabled();
  // Disabled reads as disabled whatever the kind (danger here): flat and dashed, not just faded.
  await expect(bulk.getByRole('button', { name: 'Power off 0' })).toHaveCSS('border-top-style', 'dashed');
  await expect(bulk.getByRole('button', { name: 'Start 2' })).toHaveCSS('border-top-style', 'solid');
  await bulk.getByRole('button', { name: 'Start 2' }).click();
  await expect(guests.row('list-web')).toContainText('running');
  await expect(guests.row('list-db')).toContainText('running');
  await expect(guests.row('list-mail')).not.toContainText('running');
  await expect(summary).toContainText(/3 guests: .*2 running/);

  await page.getByRole('checkbox', { name: 'Select all guests shown' }).check();
  await expect(bulk.getByRole('button', { name: 'Start 1' })).toBeEnabled();
  await bulk.getByRole('button', { name: 'Power off 2' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Power off 2' }).click();
  await expect(guests.row('list-web')).toContainText('stopped');
  await expect(guests.row('list-db')).toContainText('stopped');
  await expect(bulk).toHaveCount(0);
});

test('start with the host: set on the Settings tab, shown by the API', async ({ page, server }) => {
  await logIn(page, server);
  const list = (await (await page.request.get('/api/vms')).json()) as { id: string; name: string }[];
  const id = list.find((v) => v.name === 'list-mail')?.id ?? '';
  await page.goto(`/vms/${id}?tab=settings`);
  const form = page.getByRole('form', { name: 'Autostart of list-mail' });
  await form.getByLabel('Start this guest when the host starts').check();
  await form.getByLabel('Order').fill('1000');
  await form.getByRole('button', { name: 'Save autostart' }).click();
  await expect(form.getByText(/less than or equal to 999|at most 999|<=999/i)).toBeVisible();
  await form.getByLabel('Order').fill('3');
  await form.getByLabel('Then wait (seconds)').fill('20');
  await form.getByRole('button', { name: 'Save autostart' }).click();
  await expect(page.getByText('list-mail starts with the host (order 3)')).toBeVisible();
  const vm = (await (await page.request.get(`/api/vms/${id}`)).json()) as { autostart?: unknown };
  expect(vm.autostart).toEqual({ enabled: true, order: 3, delaySec: 20 });
});

test('image actions that would fail are disabled with the reason, naming guests by name', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const disk = await page.request.post('/api/images', {
    headers: asTheApp(server),
    data: { name: 'list-disk.qcow2', format: 'qcow2', size: '16M' },
  });
  expect(disk.status()).toBe(201);
  const created = await page.request.post('/api/vms', {
    headers: asTheApp(server),
    data: {
      name: 'list-disky',
      memoryMiB: 128,
      vcpus: 1,
      disks: [{ image: 'list-disk.qcow2' }],
      cdrom: TEST_ISO,
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await page.request.post(`/api/vms/${id}/start`, { headers: asTheApp(server) })).status()).toBe(202);

  const images = new ImagesPage(page);
  await page.goto('/images');
  const isoDelete = images.row(TEST_ISO).getByRole('button', { name: 'Delete' });
  await expect(isoDelete).toBeDisabled();
  await expect(isoDelete).toHaveAccessibleDescription(/^used by .*list-web.*: remove it from them first$/);
  // A CD is only read: it converts while its guest runs; a running guest's disk does not.
  await expect(images.row(TEST_ISO).getByRole('button', { name: `Convert ${TEST_ISO}` })).toBeEnabled();
  const diskConvert = images.row('list-disk.qcow2').getByRole('button', { name: 'Convert list-disk.qcow2' });
  await expect(diskConvert).toBeDisabled();
  await expect(diskConvert).toHaveAccessibleDescription(
    'list-disky has it open: qemu holds its lock; power off first',
  );
  await expect(
    images.row('list-disk.qcow2').getByRole('button', { name: 'Delete' }),
  ).toHaveAccessibleDescription('used by list-disky: remove it from it first');
});
