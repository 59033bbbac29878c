import { logIn } from './fixtures/pages.ts';
import { TEST_ISO, expect, test } from './fixtures/server.ts';
import { ApiClient } from './pages/ApiClient.ts';
import { SettingsTab } from './pages/SettingsTab.ts';
import { VmPage } from './pages/VmPage.ts';

// The Settings tab's Devices section (video, sound, RNG, watchdog, CPU model), with the keyboard.
test.use({ viewport: { width: 1280, height: 900 } });

test("devices: chosen in Settings, kept, and shown on the guest's Overview", async ({ page, server }) => {
  await logIn(page, server);
  const api = new ApiClient(page.request, server.url);
  const vm = await api.createVm({ name: 'devs', memoryMiB: 128, vcpus: 1, cdrom: TEST_ISO, boot: 'cdrom' });
  const settings = new SettingsTab(page);
  await settings.goto(vm.id);

  // The Linux preset's: standard VGA, a virtio RNG.
  await expect(settings.field('Video')).toHaveValue('vga');
  await expect(settings.field('Random number generator')).toBeChecked();
  await settings.field('Video').focus();
  await settings.field('Video').selectOption('cirrus');
  // Cirrus takes at most 16 MiB: the memory follows the model.
  await expect(settings.field('Video memory')).toHaveValue('16');
  await settings.field('Video').selectOption('virtio');
  await expect(settings.field('GPU host memory')).toHaveValue('64');
  await settings.field('GPU host memory').selectOption('128');
  await settings.field('Sound').selectOption('hda');
  await expect(settings.field('TPM')).toHaveValue('none');
  await settings.field('TPM').selectOption('tpm2');
  await settings.field('Watchdog').selectOption('pause');
  await settings.field('CPU model').selectOption('qemu64');
  await settings.field('Serial ports').selectOption('2');
  // vCPU pinning: a list the form cannot read is refused on its field; then vCPU 0 on host CPU 0.
  await page.getByText('vCPU pinning', { exact: true }).click();
  await settings.field('vCPU 0 on host CPUs').fill('0-');
  await settings.save.click();
  await expect(settings.field('vCPU 0 on host CPUs')).toHaveAccessibleDescription(/host CPUs as in 0-3,6/);
  await settings.field('vCPU 0 on host CPUs').fill('0');
  await settings.field('Random number generator').press('Space');
  await settings.field('Random number generator').press('Enter'); // submits the form
  await expect(page.getByRole('status').filter({ hasText: 'No unsaved changes.' })).toBeVisible();
  expect((await api.vm(vm.id)).devices).toEqual({
    video: { model: 'virtio', vramMiB: 128 },
    sound: 'hda',
    rng: false,
    watchdog: { model: 'i6300esb', action: 'pause' },
    cpuModel: 'qemu64',
    cpuPinning: [[0]],
    serialPorts: 2,
    hugepages: false,
    tpm: 'tpm2',
  });

  await new VmPage(page, 'devs').tab('Overview').click();
  await expect(page.getByRole('definition').filter({ hasText: 'virtio-vga 128 MiB' })).toHaveText(
    'virtio-vga 128 MiB, HD Audio, no RNG, watchdog (pause it), CPU qemu64, serial ttyS0 to ttyS1, TPM 2.0',
  );
  // Two serial ports: the Serial tab offers both, the console first.
  await new VmPage(page, 'devs').tab('Serial').click();
  const ports = page.getByRole('radiogroup', { name: 'Serial port' });
  await expect(ports.getByRole('radio')).toHaveCount(2);
  await expect(ports.getByRole('radio', { name: 'ttyS0 (console)' })).toBeChecked();
  const log = page.getByRole('link', { name: 'Download log' });
  await expect(log).toBeVisible();
  // ttyS1 is a raw port: no log of its own.
  await ports.getByRole('radio', { name: 'ttyS1' }).check();
  await expect(log).toHaveCount(0);
});

test('USB: a host device is attached in Settings, listed with its ids and in the Hardware tab, and removed there', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const api = new ApiClient(page.request, server.url);
  const vm = await api.createVm({ name: 'usb', memoryMiB: 64, vcpus: 1, cdrom: TEST_ISO, boot: 'cdrom' });
  const settings = new SettingsTab(page);
  await settings.goto(vm.id);
  const panel = page.getByRole('region', { name: 'USB host devices' });
  await expect(panel.getByText('No USB devices of the host are passed through.')).toBeVisible();
  // Hubs are not offered: the stick is the only choice.
  const device = panel.getByLabel('Host device');
  await expect(device.locator('option')).toHaveText(['Choose a device…', 'SanDisk Ultra (0781:5581, 1-1)']);
  await device.selectOption({ label: 'SanDisk Ultra (0781:5581, 1-1)' });
  await panel.getByRole('button', { name: 'Attach USB device' }).click();
  const row = panel.getByRole('row').filter({ hasText: '0781:5581' });
  await expect(row).toContainText('SanDisk Ultra');
  await expect(device.locator('option').nth(1)).toHaveText(
    'SanDisk Ultra (0781:5581, 1-1) — attached to usb',
  );
  expect((await api.vm(vm.id)).usb).toEqual([
    { slot: 0, vendorId: '0781', productId: '5581', label: 'SanDisk Ultra' },
  ]);
  // The Hardware tab lists it with the rest, as a change that applies at once, and removes it.
  await page.getByRole('tab', { name: 'Hardware' }).click();
  const hardware = page.getByRole('table', { name: 'Hardware' });
  const usbRow = hardware.getByRole('row', { name: /USB host device 0/ });
  await expect(usbRow).toContainText('SanDisk Ultra (0781:5581)');
  await expect(usbRow).toContainText('at once (hot-plug)');
  await expect(hardware.getByRole('row', { name: /Tablet \(pointer\)/ })).toContainText('always there');
  await usbRow.getByRole('button', { name: 'Remove USB host device 0' }).click();
  await expect(usbRow).toHaveCount(0);
  await hardware
    .getByRole('row', { name: /^Network card/ })
    .first()
    .getByRole('button', { name: /^Edit/ })
    .click();
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
  await expect(panel.getByText('No USB devices of the host are passed through.')).toBeVisible();
});
