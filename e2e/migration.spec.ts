import { expect, test } from './fixtures/server.ts';
import { ClusterApi, testGuest, withPeer } from './pages/ClusterApi.ts';
import { ImagesPage } from './pages/ImagesPage.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { JobArea, MigrateDialog } from './pages/MigrateDialog.ts';

// Two real servers on loopback (the fixture's and one started per test), real qemu (TCG) guests.

test('a running guest moves live to a peer; a cancelled try leaves it running here', async ({
  page,
  server,
}) => {
  test.setTimeout(300_000);
  await withPeer(server, async ({ here, there, peer }) => {
    const vm = await here.createVm(testGuest('mover'));
    await here.start(vm.id);
    await expect.poll(() => here.stateOf('mover'), { timeout: 30_000 }).toBe('running');

    await page.goto('/login');
    await new LoginPage(page).login(server.password);
    await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();
    await page.goto(`/vms/${vm.id}`);
    const dialog = new MigrateDialog(page);
    const jobs = new JobArea(page);
    const title = `Migrating mover to ${peer.name}`;

    // 1 MiB/s: slow enough to watch the progress and cancel; the guest must keep running here.
    await dialog.open();
    await expect(dialog.dialog).toHaveAccessibleName('Live-migrate mover to another host');
    await expect(dialog.submit('Migrate')).toBeDisabled();
    // The only healthy peer is picked already.
    await expect(dialog.peer(peer.name)).toBeChecked();
    await dialog.limitBandwidth(1);
    await expect(dialog.passed.first()).toBeVisible();
    await expect(dialog.problems).toHaveCount(0);
    await expect(dialog.submit('Migrate')).toBeEnabled();
    await dialog.submit('Migrate').click();
    await expect(dialog.dialog).toBeHidden();
    await expect(jobs.progressBar(`${title}: progress`)).toHaveAttribute('value', /\d+/, {
      timeout: 30_000,
    });
    await expect(page.getByText('Transferred', { exact: true })).toBeVisible();
    await jobs.cancel(title).click();
    await expect(jobs.outcome('The guest keeps running here')).toContainText('cancelled', {
      timeout: 30_000,
    });
    await expect.poll(() => here.stateOf('mover')).toBe('running');
    expect(await there.stateOf('mover')).toBeUndefined();
    await jobs.outcome('cancelled').getByRole('button', { name: 'Dismiss' }).click();

    // Without a limit it goes through: the page says where to and how long the guest paused.
    await dialog.open();
    await dialog.peer(peer.name).check();
    await expect(dialog.passed.first()).toBeVisible();
    await expect(dialog.problems).toHaveCount(0);
    await dialog.submit('Migrate').click();
    const moved = jobs.outcome(`Moved to ${peer.name}`);
    await expect(moved).toHaveText(/in \d+ ms \(downtime \d+ ms\)/, { timeout: 120_000 });
    await expect(page.getByRole('heading', { name: `mover moved to ${peer.name}` })).toBeVisible();
    expect(await here.stateOf('mover')).toBeUndefined();
    expect(await there.stateOf('mover')).toBe('running');

    // The guests page lists it under the peer, running.
    await moved.getByRole('link').click();
    await expect(page.getByTestId('peer-vm-mover')).toContainText('running', { timeout: 20_000 });
  });
});

test('the checks name an image the peer lacks; with "copy storage" the stopped guest moves', async ({
  page,
  server,
}) => {
  test.setTimeout(180_000);
  await withPeer(server, async ({ here, there, peer }) => {
    await here.call('POST', '/api/images', 201, { name: 'only-here.qcow2', format: 'qcow2', size: '16M' });
    const vm = await here.createVm({ ...testGuest('stays'), disks: [{ image: 'only-here.qcow2' }] });

    await page.goto('/login');
    await new LoginPage(page).login(server.password);
    await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();
    await page.goto(`/vms/${vm.id}`);
    const dialog = new MigrateDialog(page);
    await dialog.open();
    await expect(dialog.dialog).toHaveAccessibleName('Move stays (stopped) to another host');
    await dialog.peer(peer.name).check();
    await expect(dialog.problems.filter({ hasText: 'only-here.qcow2' })).toBeVisible();
    await expect(dialog.submit('Move')).toBeDisabled();

    // The checks run again for the new choice: the disk is then copied, nothing is missing.
    await dialog.checkbox('Copy storage').check();
    await expect(dialog.passed.first()).toBeVisible();
    await expect(dialog.problems).toHaveCount(0);
    await dialog.submit('Move').click();
    await expect(new JobArea(page).outcome(`Moved to ${peer.name}`)).toBeVisible({ timeout: 120_000 });
    await expect(page.getByRole('heading', { name: `stays moved to ${peer.name}` })).toBeVisible();
    expect(await here.stateOf('stays')).toBeUndefined();
    expect(await there.stateOf('stays')).toMatch(/defined|stopped/);

    // The disk left here is marked as an old copy on the Images page, and deleted from there (keyboard).
    const images = new ImagesPage(page);
    await images.open();
    const row = images.row('only-here.qcow2');
    await expect(row).toContainText(`Old copy left behind by moving stays to ${peer.name} on`);
    await row.getByRole('button', { name: 'Delete' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Delete only-here.qcow2?' });
    await expect(confirm).toContainText(`the VM’s current disk is on ${peer.name}`);
    await confirm.getByRole('button', { name: 'Delete', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(row).toHaveCount(0);
  });
});

test('a running guest is saved to a file, listed, restored and the file deleted', async ({
  page,
  server,
}) => {
  test.setTimeout(240_000);
  const here = await ClusterApi.login(server);
  const vm = await here.createVm(testGuest('saver'));
  await here.start(vm.id);
  await expect.poll(() => here.stateOf('saver'), { timeout: 30_000 }).toBe('running');

  await page.goto('/login');
  await new LoginPage(page).login(server.password);
  await expect(page.getByRole('heading', { name: 'Guests', level: 1 })).toBeVisible();
  await page.goto(`/vms/${vm.id}`);
  const jobs = new JobArea(page);
  await page.getByRole('button', { name: 'Save state…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save the state of saver' });
  await dialog.getByLabel('File name (optional)').fill('saver-e2e.vmstate.zst');
  await dialog.getByRole('button', { name: 'Save state' }).click();
  await expect(jobs.outcome('Saved the state to saver-e2e.vmstate.zst')).toBeVisible({ timeout: 60_000 });
  await expect(
    page.getByRole('heading', { name: 'saver', exact: true, level: 1 }).locator('..'),
  ).toContainText('stopped');

  const states = page.getByRole('table', { name: 'Saved states' });
  const row = states.getByRole('row').filter({ hasText: 'saver-e2e.vmstate.zst' });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Restore' }).click();
  await page
    .getByRole('dialog', { name: /Restore saver/ })
    .getByRole('button', { name: 'Restore' })
    .click();
  await expect(jobs.outcome('Restored from saver-e2e.vmstate.zst')).toBeVisible({ timeout: 60_000 });
  await expect.poll(() => here.stateOf('saver'), { timeout: 30_000 }).toBe('running');

  await row.getByRole('button', { name: 'Delete' }).click();
  await page
    .getByRole('dialog', { name: /Delete saver-e2e/ })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(states).toBeHidden();
});
