import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_ISO, expect, test } from './fixtures/server.ts';
import { ApiClient, optionValue } from './pages/ApiClient.ts';
import { GuestsPage } from './pages/GuestsPage.ts';
import { ImagesPage } from './pages/ImagesPage.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { SettingsTab } from './pages/SettingsTab.ts';
import { VmPage } from './pages/VmPage.ts';

// Guests boot under TCG on a small shared host: state changes get generous time.
const BOOT_MS = 60_000;
// Screenshots for people to look at; not test artefacts and not for git.
const shots = process.env.VIRTWEB_SCREENSHOT_DIR ?? path.join(tmpdir(), 'virtweb-e2e');

test('settings change a stopped and a running guest; clone and delete with a per-image choice', async ({
  page,
  server,
}) => {
  test.setTimeout(300_000);
  await mkdir(shots, { recursive: true });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(server.password);
  await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();

  const api = new ApiClient(page.request, server.url);
  await api.createImage('set-a.qcow2', '64M');
  await api.createImage('set-b.qcow2', '64M');
  const a = await api.createVm({
    name: 'set-a',
    memoryMiB: 128,
    vcpus: 1,
    disks: [{ image: 'set-a.qcow2' }],
    cdrom: TEST_ISO,
    boot: 'cdrom',
  });
  const b = await api.createVm({
    name: 'set-b',
    memoryMiB: 128,
    vcpus: 1,
    disks: [{ image: 'set-b.qcow2' }],
  });

  // Stopped: a bad value is refused on its field, then name, memory and vCPUs change at once.
  const settings = new SettingsTab(page);
  await settings.goto(a.id);
  await expect(settings.field('Memory (MiB)')).toHaveValue('128');
  await settings.fillAll({ 'Memory (MiB)': '8' });
  await settings.save.click();
  await expect(settings.field('Memory (MiB)')).toHaveAccessibleDescription(/memory must be at least 32 MiB/);
  await expect(settings.field('Memory (MiB)')).toBeFocused();
  await settings.fillAll({ Name: 'set-renamed', 'Memory (MiB)': '192', vCPUs: '2' });
  await settings.form.getByRole('button', { name: 'Add port forward' }).click();
  const forward = settings.form.getByRole('group', { name: 'Port forward 1' });
  await forward.getByLabel('Host port').fill('2222');
  await forward.getByLabel('Guest port').fill('22');
  await settings.save.click();
  await expect(page.getByRole('heading', { name: 'set-renamed', level: 1 })).toBeVisible();
  expect(await api.vm(a.id)).toMatchObject({
    name: 'set-renamed',
    memoryMiB: 192,
    vcpus: 2,
    nics: [{ mode: 'user', portForwards: [{ hostPort: 2222, guestPort: 22 }] }],
  });

  // The NIC list: the link is a switch used by keyboard, a MAC is checked with the schema's words, NICs come
  // and go.
  const nics = page.getByRole('region', { name: 'Network cards' });
  await nics.getByRole('switch', { name: /Link of NIC 0/ }).focus();
  await page.keyboard.press('Space');
  await expect.poll(async () => (await api.vm(a.id)).nics[0]?.linkUp).toBe(false);
  await nics.getByRole('textbox', { name: 'MAC of NIC 0' }).fill('01:00:5e:00:00:01');
  await nics.getByRole('button', { name: 'Save MAC' }).click();
  await expect(nics.getByRole('textbox', { name: 'MAC of NIC 0' })).toHaveAccessibleDescription(/multicast/);
  await nics.getByRole('button', { name: 'Add network card' }).click();
  await expect(nics.getByRole('button', { name: 'Remove NIC 1' })).toBeVisible();
  await expect.poll(async () => (await api.vm(a.id)).nics.length).toBe(2);
  await nics.getByRole('button', { name: 'Remove NIC 1' }).click();
  await expect(nics.getByRole('button', { name: 'Remove NIC 1' })).toHaveCount(0);
  await expect.poll(async () => (await api.vm(a.id)).nics.length).toBe(1);

  const vmPage = new VmPage(page, 'set-renamed');
  await vmPage.tab('Overview').click();
  const facts = page.getByRole('definition');
  await expect(facts.filter({ hasText: '192 MiB' })).toBeVisible();
  // The guest's engine, from its record (the engine seam).
  await expect(facts.filter({ hasText: 'qemu, run by virtweb (local)' })).toBeVisible();
  const guests = new GuestsPage(page);
  await guests.open();
  await expect(guests.row('set-renamed')).toContainText('192 MiB');
  await expect(guests.cell('set-renamed', 'vCPUs')).toHaveText('2');

  // Running: a memory change waits for the next start; the running qemu keeps its -m.
  await api.action(a.id, 'start');
  await expect.poll(async () => (await api.vm(a.id)).state, { timeout: BOOT_MS }).toBe('running');
  await settings.goto(a.id);
  await expect(settings.form).toContainText('apply at the next start');
  await expect(settings.field('Bus of set-a.qcow2')).toBeDisabled();
  await expect(settings.form.getByRole('link', { name: 'Storage tab' }).first()).toBeVisible();
  await settings.fillAll({ 'Memory (MiB)': '256' });
  await expect(settings.form.getByText('Applies at next start: memory')).toBeVisible();
  await settings.save.click();
  await expect(settings.pendingBanner).toContainText('Pending until next start: memory');
  expect((await api.vm(a.id)).pendingChanges).toEqual(['memoryMiB']);
  expect(optionValue(await api.processCmdline(a.id), '-m')).toBe('192');
  await settings.commandLineFold.click();
  await expect(settings.commandLine).toContainText(/^\s*-m 256 \\$/m);
  await expect(settings.commandLine).toContainText('hostfwd=tcp:127.0.0.1:2222-:22');

  // The balloon sets the running guest's memory now, within what it started with.
  const balloon = page.getByRole('form', { name: 'Guest memory of set-renamed' });
  await expect(page.getByText(/The guest has 192 MiB of the 192 MiB it started with/)).toBeVisible();
  await balloon.getByLabel('Guest memory (MiB)').fill('500');
  await balloon.getByRole('button', { name: 'Set guest memory now' }).click();
  await expect(balloon.getByLabel('Guest memory (MiB)')).toHaveAccessibleDescription(/at most 192 MiB/);
  await balloon.getByLabel('Guest memory (MiB)').fill('160');
  await balloon.getByRole('button', { name: 'Set guest memory now' }).click();
  await expect(page.getByText('Asked set-renamed to use 160 MiB')).toBeVisible();
  // The guest's own memory use, from its balloon driver's statistics (the test guest reports them).
  await expect(page.getByText(/The guest says it uses [\d.]+ MiB of the [\d.]+ MiB it sees/)).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'settings-running.png'), fullPage: true });

  // Powered off, the pending change is simply the configuration.
  await api.action(a.id, 'poweroff');
  await expect.poll(async () => (await api.vm(a.id)).state, { timeout: BOOT_MS }).toBe('stopped');
  await expect(settings.pendingBanner).toBeEmpty();

  // Clone while stopped, copying the disk under its default name; the page of the clone opens.
  const clone = await settings.openDialog('Clone', 'Clone set-renamed');
  await clone.getByLabel('New name').fill('set-clone');
  await expect(clone.getByRole('radio', { name: 'Copy', exact: true })).toBeChecked();
  await expect(clone.getByLabel('New image for set-a.qcow2')).toHaveValue('set-clone-1.qcow2');
  await page.screenshot({ path: path.join(shots, 'clone-dialog.png') });
  await clone.getByRole('button', { name: 'Clone', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'set-clone', level: 1 })).toBeVisible({ timeout: BOOT_MS });
  const images = new ImagesPage(page);
  await images.open();
  await expect(images.row('set-clone-1.qcow2')).toBeVisible();
  await expect(images.row('set-a.qcow2')).toBeVisible();

  // Delete the clone but keep its disk; the shared ISO cannot go (set-renamed uses it).
  await guests.open();
  await guests.row('set-clone').getByRole('link', { name: 'set-clone' }).click();
  const del = await settings.openDialog('Delete', 'Delete set-clone?');
  const keepDisk = del.getByRole('checkbox', { name: 'Delete set-clone-1.qcow2 too' });
  await expect(keepDisk).toBeChecked();
  const iso = del.getByRole('checkbox', { name: `Delete ${TEST_ISO} too` });
  await expect(iso).toBeDisabled();
  await expect(iso).toHaveAccessibleDescription(/also used by set-renamed/);
  await keepDisk.uncheck();
  await page.screenshot({ path: path.join(shots, 'delete-dialog.png') });
  await del.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page).toHaveURL(/\/vms$/);
  await expect(guests.row('set-clone')).toHaveCount(0);
  await images.open();
  await expect(images.row('set-clone-1.qcow2')).toBeVisible();

  // Delete set-b with its disk, by keyboard: the disk's box is ticked, Tab to Delete, Enter.
  await page.goto(`/vms/${b.id}`);
  const delB = await settings.openDialog('Delete', 'Delete set-b?');
  const diskB = delB.getByRole('checkbox', { name: 'Delete set-b.qcow2 too' });
  await expect(diskB).toBeChecked();
  await expect(diskB).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(delB.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(delB.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/vms$/);
  await images.open();
  await expect(images.row('set-clone-1.qcow2')).toBeVisible();
  await expect(images.row('set-b.qcow2')).toHaveCount(0);
  expect(await api.imageNames()).not.toContain('set-b.qcow2');
  expect(await api.imageNames()).toContain('set-a.qcow2');
});
