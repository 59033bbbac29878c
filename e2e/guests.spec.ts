import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_ISO, asTheApp, expect, test } from './fixtures/server.ts';
import { GuestsPage } from './pages/GuestsPage.ts';
import { HostPage } from './pages/HostPage.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { NewVmPage } from './pages/NewVmPage.ts';

// Screenshots for people to look at; not test artefacts and not for git.
const shots = process.env.VIRTWEB_SCREENSHOT_DIR ?? path.join(tmpdir(), 'virtweb-e2e');

interface VmAnswer {
  id: string;
  state: string;
}

test('a wrong password shows an error and keeps the user on the login page', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.login('not-the-password');
  await expect(login.error).toContainText('Wrong password');
  await expect(page).toHaveURL(/\/login$/);
  await expect(login.password).toBeFocused();
});

test('guests are created, started and powered off, and the list follows live', async ({ page, server }) => {
  // The guest agent's first facts come some seconds after the guest's boot under TCG.
  test.setTimeout(240_000);
  await mkdir(shots, { recursive: true });
  const login = new LoginPage(page);
  const guests = new GuestsPage(page);

  // A protected page sends the browser to /login, and back after logging in.
  await page.goto('/vms');
  await expect(page).toHaveURL(/\/login$/);
  await login.login(server.password);
  await expect(guests.heading).toBeVisible();
  await expect(guests.emptyState).toBeVisible();
  await expect(guests.liveIndicator).toBeVisible();

  // Create a VM from the form.
  await guests.newVm.click();
  const form = new NewVmPage(page);
  await expect(form.heading).toBeVisible();
  // A name is suggested from the ISO; emptied, Next refuses.
  await expect(form.field('Name')).toHaveValue('tinylinux');
  await form.field('Name').fill('');
  await form.next.click();
  await expect(page.getByText('name is empty')).toBeVisible();
  await form.createVm({ name: 'e2e-one', memoryMiB: 256, cdrom: TEST_ISO, disk: 'none' });
  await expect(guests.heading).toBeVisible();
  await expect(guests.row('e2e-one')).toContainText(/defined|stopped/);
  await expect(guests.row('e2e-one')).toContainText('256 MiB');

  // Start it: the state turns running without a reload (vm.updated events).
  await guests.button('e2e-one', 'Start').click();
  await expect(guests.row('e2e-one')).toContainText('running');
  await expect(guests.row('e2e-one')).toContainText('TCG');

  // A second VM made through the API (the page's cookie) shows up and starts live.
  const created = await page.request.post('/api/vms', {
    headers: asTheApp(server),
    data: { name: 'e2e-two', memoryMiB: 128, vcpus: 1, disks: [], cdrom: TEST_ISO },
  });
  expect(created.status()).toBe(201);
  const two = (await created.json()) as VmAnswer;
  await expect(guests.row('e2e-two')).toContainText(/defined|stopped/);
  const started = await page.request.post(`/api/vms/${two.id}/start`, { headers: asTheApp(server) });
  expect(started.status()).toBe(202);
  await expect(guests.row('e2e-two')).toContainText('running');
  // Its guest agent (the Linux preset's channel; qemu-ga in the test guest) tells its DHCP address: the list
  // shows it, and the Overview tab the agent's facts.
  await expect(guests.row('e2e-two')).toContainText('10.0.2.15', { timeout: 90_000 });
  await page.screenshot({ path: path.join(shots, 'guests.png'), fullPage: true });
  await guests.row('e2e-two').getByRole('link', { name: 'e2e-two' }).click();
  const agent = page.getByRole('region', { name: 'Guest agent' });
  await expect(agent.getByTestId('agent-status')).toHaveText(/^connected/);
  await expect(agent).toContainText('virtweb test guest (tinylinux) 1');
  await expect(agent).toContainText('tinylinux');
  await expect(agent.getByRole('table', { name: 'Interfaces' })).toContainText('10.0.2.15/24');
  await page.screenshot({ path: path.join(shots, 'guest-agent.png'), fullPage: true });
  await page.goBack();
  await expect(guests.heading).toBeVisible();

  // Power off the first one from the UI (with confirmation).
  await guests.confirm('e2e-one', 'Power off');
  await expect(guests.row('e2e-one')).toContainText('stopped');
  await expect(guests.button('e2e-one', 'Start')).toBeEnabled();

  // The host page explains why guests run under TCG.
  const hostInfo = (await (await page.request.get('/api/host')).json()) as {
    accel: { kvm: { reason: string } };
  };
  const host = new HostPage(page);
  await host.open();
  await expect(host.verdict).toContainText('TCG (software emulation)');
  await expect(host.fact('KVM')).toHaveText(hostInfo.accel.kvm.reason);
  await expect(host.fact('CPU virtualization flag')).toHaveText(/vmx \(Intel VT-x\)|svm \(AMD-V\)|none: /);
  await page.screenshot({ path: path.join(shots, 'host.png'), fullPage: true });

  // The server gets a display name, typed and sent with the keyboard; peers name it so.
  await host.rename('lab-host');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Host lab-host');
  expect(((await (await page.request.get('/api/host')).json()) as { name?: string }).name).toBe('lab-host');
});
