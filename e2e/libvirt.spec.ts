import { startLibvirtd, type LibvirtDaemon } from '../apps/server/test/libvirt-daemon.ts';
import { logIn } from './fixtures/pages.ts';
import { screenStats } from './fixtures/screen.ts';
import { TEST_ISO, asTheApp, expect, test } from './fixtures/server.ts';
import { GuestsPage } from './pages/GuestsPage.ts';
import { VmPage } from './pages/VmPage.ts';

// A libvirt connection added on the Connections page, its guest (defined by virtweb on that libvirtd) opened
// from the guests list with its screen; a libvirtd of the spec's own, stopped at the end.
const GUEST = 'lv-e2e';
let daemon: LibvirtDaemon | undefined;

test.afterAll(async () => {
  await daemon?.stop((name) => name.startsWith('virtweb-') || name.startsWith('vw-e2e-foreign'));
});

test('a libvirt connection: health and domains on the Connections page, its guest opened from the list with its screen', async ({
  page,
  server,
}) => {
  test.setTimeout(240_000);
  daemon = await startLibvirtd();
  const foreign = await daemon.connect();
  await foreign.defineXml(
    '<domain type="qemu"><name>vw-e2e-foreign</name><memory unit="MiB">64</memory><vcpu>1</vcpu>' +
      '<os><type arch="x86_64" machine="pc">hvm</type></os></domain>',
  );
  foreign.close();
  await logIn(page, server);

  // Connections: add this host's libvirt by its URI; it answers, with its domains, others' read-only.
  await page.goto('/connections');
  await page.getByRole('textbox', { name: 'libvirt URI' }).fill(daemon.uri);
  await page.getByRole('button', { name: 'Add connection' }).click();
  const group = page.getByTestId(`connection-${daemon.uri}`);
  await expect(group).toContainText(/\d+ CPUs/);
  await expect(group.getByTestId('domain-vw-e2e-foreign')).toContainText('others (read-only)');

  // Its guest, defined from a create request on the connection and started, in the guests list.
  const created = await page.request.post('/api/vms', {
    headers: asTheApp(server),
    data: {
      name: GUEST,
      memoryMiB: 256,
      vcpus: 1,
      cdrom: TEST_ISO,
      boot: 'cdrom',
      nics: [],
      connection: daemon.uri,
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await page.request.post(`/api/vms/${id}/start`, { headers: asTheApp(server) })).status()).toBe(202);

  const guests = new GuestsPage(page);
  await guests.open();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: GUEST, exact: true }) });
  await expect(row).toContainText('libvirt');
  await expect(row).toContainText('running');
  // Beside virtweb's own guests: the connection's domain defined by others, read-only, saying why.
  await expect(page.getByTestId('libvirt-guest-vw-e2e-foreign')).toContainText('defined outside virtweb');
  await row.getByRole('link', { name: GUEST, exact: true }).click();
  await expect(page.getByText(`libvirt (${daemon.uri})`)).toBeVisible();

  const vm = new VmPage(page, GUEST);
  await vm.tab('Screen').click();
  await expect(vm.screen).toBeVisible();
  await expect
    .poll(async () => (await screenStats(vm.screen)).lit, { timeout: 60_000 })
    .toBeGreaterThan(2000);

  // Powered off and deleted: libvirt forgets the domain.
  expect((await page.request.post(`/api/vms/${id}/poweroff`, { headers: asTheApp(server) })).status()).toBe(
    202,
  );
  const state = async () =>
    ((await (await page.request.get(`/api/vms/${id}`)).json()) as { state: string }).state;
  await expect.poll(state).toBe('stopped');
  const removed = await page.request.delete(`/api/vms/${id}`, {
    headers: asTheApp(server),
    data: { deleteImages: [] },
  });
  expect(removed.status()).toBe(204);
  await page.goto('/connections');
  await expect(group.getByTestId('domain-vw-e2e-foreign')).toBeVisible();
  await expect(group.getByRole('row')).toHaveCount(2);
});
