import { defineGuest, logIn } from './fixtures/pages.ts';
import { expect, test } from './fixtures/server.ts';
import { MetricsPage } from './pages/MetricsPage.ts';
import { VmPage } from './pages/VmPage.ts';

// The server restarts while a page is open: the page stays, says it is reconnecting, and comes back by
// itself with the serial scrollback (read back from the guest's log on disk) and the 1-hour graph.
test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 900 } });

const GUEST = 'e2e-reconnect';
const READY = 'virtweb test guest ready';
const BOOT_MS = 120_000;
const CPU = 'CPU (% of one host core)';

interface Guest {
  id: string;
  name: string;
  startedAt?: string;
}

test('a server restart with the page open: banner, then everything back by itself', async ({
  page,
  server,
}) => {
  test.setTimeout(BOOT_MS + 120_000);
  await logIn(page, server);
  const id = await defineGuest(page, server, GUEST, 'start');
  const vm = new VmPage(page, GUEST);
  await vm.goto(id, 'Serial');
  await expect.poll(() => vm.terminalLines('serial'), { timeout: BOOT_MS }).toContain(READY);
  await vm.focusTerminal('serial');
  await page.keyboard.type('echo before-$((6*7))');
  await page.keyboard.press('Enter');
  await expect.poll(() => vm.terminalLines('serial')).toContain('before-42');

  // A crash of the server: the page keeps what it shows and says it is reconnecting.
  await server.halt('SIGKILL');
  const banner = page.getByRole('status').filter({ hasText: 'Lost the connection to the server' });
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/Could not load the session/)).toHaveCount(0);
  await expect(vm.tab('Serial')).toHaveAttribute('aria-selected', 'true');

  await server.startAgain();
  await expect(banner).toBeHidden({ timeout: 30_000 });
  // The serial console reconnected by itself: its scrollback came back from the log on disk, with a line
  // saying the server restarted; typing works again.
  await expect
    .poll(async () => (await vm.terminalLines('serial')).join('\n'), { timeout: 30_000 })
    .toMatch(/before-42[\s\S]*-- virtweb: the server restarted/);
  await vm.focusTerminal('serial');
  await page.keyboard.type('echo after-$((6*8))');
  await page.keyboard.press('Enter');
  await expect.poll(() => vm.terminalLines('serial')).toContain('after-48');

  // The whole log downloads, with this run's start line and both commands.
  const log = await page.request.get(`/api/vms/${id}/serial.log`);
  expect(log.status()).toBe(200);
  const text = await log.text();
  expect(text).toMatch(/-- virtweb: qemu started \(pid \d+\)[\s\S]*before-42[\s\S]*after-48/);
});

test('after a service restart the 1-hour graph shows the stored minutes, then live seconds', async ({
  page,
  server,
}) => {
  test.setTimeout(120_000);
  await logIn(page, server);
  const guest = ((await (await page.request.get('/api/vms')).json()) as Guest[]).find(
    (v) => v.name === GUEST,
  );
  expect(guest?.startedAt).toBeDefined();
  if (guest?.startedAt === undefined) return;
  const { id } = guest;
  // The minute the guest started in must be over, so that at least one whole stored minute precedes the
  // restart (the history keeps one point per minute).
  const minuteOver = Date.parse(guest.startedAt) + 65_000 - Date.now();
  if (minuteOver > 0) await page.waitForTimeout(minuteOver);
  // SIGTERM, as `systemctl restart` sends it: the server writes its current minute and leaves guests running.
  await server.halt('SIGTERM');
  await server.startAgain();
  const m = new MetricsPage(page);
  await m.gotoTab(id, 'graphs');
  await m.range('1 hour').check();
  await expect(
    page.getByText(/Minute averages until .* one point per second, live, after that/),
  ).toBeVisible();
  await expect.poll(() => m.points(CPU), { timeout: 30_000 }).toBeGreaterThan(3);
  await expect(page.getByText(/No samples in/)).toHaveCount(0);
});
