import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { TEST_ISO, asTheApp, expect, test, type VirtwebServer } from './fixtures/server.ts';
import { GuestsPage } from './pages/GuestsPage.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { MetricsPage } from './pages/MetricsPage.ts';

// Screenshots for people to look at; not test artefacts and not for git.
const shots = process.env.VIRTWEB_SCREENSHOT_DIR ?? '/tmp/virtweb-metrics';
const NAME = 'metrics-one';
const CPU = 'CPU (% of one host core)';

interface VmAnswer {
  id: string;
  name: string;
  state: string;
  pid?: number;
  lastExit?: { kind: string; reason: string };
}

// One real guest (TCG) for the whole file; later steps need the earlier ones.
test.describe.configure({ mode: 'serial' });

async function vmById(page: Page, id: string): Promise<VmAnswer> {
  return (await (await page.request.get(`/api/vms/${id}`)).json()) as VmAnswer;
}

/** Logs in and returns the running test guest (made and started through the API on first use). */
async function loginWithGuest(page: Page, server: VirtwebServer): Promise<VmAnswer> {
  await mkdir(shots, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(server.password);
  await expect(new GuestsPage(page).heading).toBeVisible();
  const list = (await (await page.request.get('/api/vms')).json()) as VmAnswer[];
  let vm = list.find((v) => v.name === NAME);
  if (!vm) {
    const created = await page.request.post('/api/vms', {
      headers: asTheApp(server),
      data: { name: NAME, memoryMiB: 128, vcpus: 1, disks: [], cdrom: TEST_ISO },
    });
    expect(created.status()).toBe(201);
    vm = (await created.json()) as VmAnswer;
    const started = await page.request.post(`/api/vms/${vm.id}/start`, { headers: asTheApp(server) });
    expect(started.status()).toBe(202);
  }
  const { id } = vm;
  await expect.poll(async () => (await vmById(page, id)).state, { timeout: 60_000 }).toBe('running');
  return vmById(page, id);
}

test('the guests list shows live sparklines and sorts by CPU; the host page shows load and shares', async ({
  page,
  server,
}) => {
  await loginWithGuest(page, server);
  const guests = new GuestsPage(page);
  const m = new MetricsPage(page);
  await expect(guests.row(NAME)).toContainText('running');
  // Two or more points draw a line.
  await expect(m.sparkline(NAME).locator('polyline')).toHaveCount(1, { timeout: 15_000 });
  await expect(m.sparkline(NAME, 'Memory (qemu RSS)').locator('polyline')).toHaveCount(1);
  await expect(guests.row(NAME)).toContainText('%');
  // The sort is a real button in the column header: keyboard usable.
  await m.columnHeader('CPU').getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(m.columnHeader('CPU')).toHaveAttribute('aria-sort', 'descending');
  await page.screenshot({ path: path.join(shots, 'guests-list.png'), fullPage: true });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  await expect(m.canvas('CPU (% of all cores)')).toBeVisible();
  await expect(m.canvas('Memory')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Share per guest' })).toContainText(NAME);
  const first = await m.points('CPU (% of all cores)');
  await expect.poll(() => m.points('CPU (% of all cores)'), { timeout: 10_000 }).toBeGreaterThan(first);
  await page.screenshot({ path: path.join(shots, 'host.png'), fullPage: true });
});

test('the Graphs tab streams CPU, memory and disk charts with units and a range picker', async ({
  page,
  server,
}) => {
  const vm = await loginWithGuest(page, server);
  const m = new MetricsPage(page);
  await m.gotoTab(vm.id, 'graphs');
  await expect(m.canvas(CPU)).toBeVisible();
  await expect(m.canvas(/^Memory/)).toBeVisible();
  await expect(m.canvas(/^Disk IO/)).toBeVisible();
  await expect(page.getByText('not measurable with user-mode networking')).toBeVisible();
  // Streamed from the events socket: the plotted data grows while the page stays open.
  const first = await m.points(CPU);
  await expect.poll(() => m.points(CPU), { timeout: 10_000 }).toBeGreaterThan(first + 1);
  // Hover: the legend shows the values at the pointer, with units.
  const box = await m.canvas(CPU).boundingBox();
  if (!box) throw new Error('the CPU chart has no box');
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
  await expect(m.legendValues(CPU).nth(1)).toContainText('%');
  await expect(m.legendValues(/^Memory/).nth(1)).toContainText('iB');
  await expect(m.legendValues(/^Disk IO/).nth(1)).toContainText('/s');
  await page.screenshot({ path: path.join(shots, 'graphs-5m.png'), fullPage: true });

  await m.range('1 hour').check();
  await expect(m.canvas(CPU)).toBeVisible();
  await expect.poll(() => m.points(CPU), { timeout: 10_000 }).toBeGreaterThan(0);
  // Minute averages (the current minute comes from the live ring); without hover the legend shows the newest.
  await m.range('24 hours').check();
  await expect(m.canvas(CPU)).toBeVisible();
  await expect(m.legendValues(CPU).nth(1)).toContainText('%');
  await page.screenshot({ path: path.join(shots, 'graphs-24h.png'), fullPage: true });
});

test('the Process tab shows the qemu process, and SIGKILL turns the guest crashed with a reason', async ({
  page,
  server,
}) => {
  const vm = await loginWithGuest(page, server);
  const m = new MetricsPage(page);
  await m.gotoTab(vm.id, 'process');
  await expect(m.pid).toHaveText(String(vm.pid));
  await expect(m.commandLine).toContainText('qemu-system-x86_64');
  await expect(m.commandLine).toContainText('-name');
  await expect(page.getByRole('table', { name: 'Threads of the qemu process' })).toContainText('vCPU 0');
  await expect(m.log).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'process.png'), fullPage: true });

  // Confirmation first; the state change arrives live from the events socket.
  const dialogText = await m.sendSignal('SIGKILL', path.join(shots, 'signal-dialog.png'));
  expect(dialogText).toContain(`kill -9 ${vm.pid}`);
  await expect(page.locator('.page-head .badge')).toHaveText('crashed', { timeout: 20_000 });
  const after = await vmById(page, vm.id);
  expect(after.lastExit?.reason).toBeTruthy();
  await expect(page.getByRole('status').filter({ hasText: 'No qemu process' })).toContainText(
    after.lastExit?.reason ?? '-',
  );
  await page.screenshot({ path: path.join(shots, 'process-killed.png'), fullPage: true });
});
