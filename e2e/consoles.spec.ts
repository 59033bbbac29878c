/// <reference lib="dom" />
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { glyphBox, litPixels } from './fixtures/glyphs.ts';
import { screenStats } from './fixtures/screen.ts';
import { defineGuest, logIn } from './fixtures/pages.ts';
import { expect, test } from './fixtures/server.ts';
import { VmPage } from './pages/VmPage.ts';

// One guest for the whole file, booted by the first test; the tests run in order and share it.
test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1400, height: 1000 } });

// Screenshots for people to look at; not test artefacts and not for git.
const shots = process.env.VIRTWEB_CONSOLES_SCREENSHOT_DIR ?? path.join(tmpdir(), 'virtweb-consoles');
const GUEST = 'e2e-consoles';
const READY = 'virtweb test guest ready';
/** A TCG boot takes 10-30 s when other guests share the 2 cores; a reboot adds the shutdown. */
const BOOT_MS = 120_000;

let guestId = '';

/** The underscore of `rowText` in a terminal lights pixels of its cell (a clipped one once read as a space). */
async function expectUnderscoreDrawn(page: Page, vm: VmPage, kind: 'serial' | 'monitor', rowText: string) {
  const cell = await glyphBox(vm.terminal(kind), rowText, '_');
  expect(cell, `a row with ${rowText}`).not.toBeNull();
  if (cell) expect(await litPixels(page, cell)).toBeGreaterThan(2);
}

async function shot(page: Page, name: string): Promise<void> {
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

test('serial: the boot log is replayed, typing reaches the guest shell', async ({ page, server }) => {
  test.setTimeout(BOOT_MS + 60_000);
  await logIn(page, server);
  guestId = await defineGuest(page, server, GUEST, 'start', 256);
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Serial');
  await expect(vm.tab('Serial')).toHaveAttribute('aria-selected', 'true');
  await expect.poll(() => vm.terminalLines('serial'), { timeout: BOOT_MS }).toContain(READY);

  // Reconnecting replays the scrollback: the marker is there again without a reboot.
  await vm.tab('Overview').click();
  await vm.tab('Serial').click();
  await expect.poll(() => vm.terminalLines('serial')).toContain(READY);

  await vm.focusTerminal('serial');
  await page.keyboard.type('echo hi');
  await page.keyboard.press('Enter');
  await expect.poll(() => vm.terminalLines('serial')).toContain('hi');
  await page.keyboard.type('echo thread_id');
  await page.keyboard.press('Enter');
  await expect.poll(() => vm.terminalLines('serial')).toContain('thread_id');
  await expectUnderscoreDrawn(page, vm, 'serial', 'echo thread_id');
  await shot(page, 'serial');
});

test('screen: the VGA banner shows, typing on tty1 changes it; several viewers', async ({ page, server }) => {
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Screen');
  await expect(vm.screen).toBeVisible();
  // Text mode: 720x400, and the banner lights up a good share of it.
  await expect
    .poll(async () => (await screenStats(vm.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(2000);
  const before = await screenStats(vm.screen);
  expect(before).toMatchObject({ width: 720, height: 400 });

  await vm.screen.click();
  await expect(vm.screen).toBeFocused();
  await page.keyboard.type('echo hello-vga');
  await page.keyboard.press('Enter');
  // Two new text lines (the command and its output): far more than the blinking cursor changes.
  await expect
    .poll(async () => (await screenStats(vm.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(before.lit + 300);

  // Ctrl+Alt released alone gives the keyboard back to the page.
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await page.keyboard.up('Alt');
  await page.keyboard.up('Control');
  await expect(vm.screen).not.toBeFocused();

  // A second viewer on the same guest works next to the first.
  const other = await page.context().newPage();
  const second = new VmPage(other, GUEST);
  await second.goto(guestId, 'Screen');
  await expect
    .poll(async () => (await screenStats(second.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(2000);
  await other.close();
  await expect(page.getByText('Disconnected')).toHaveCount(0);

  await vm.button('Scale to fit').focus();
  await shot(page, 'screen');
  await vm.button(/^Send key/).click();
  await expect(page.getByRole('menuitem', { name: 'Ctrl+Alt+F12' })).toBeVisible();
  await shot(page, 'screen-send-key-menu');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
});

test('paste as keystrokes types on tty1; the serial console shows the result', async ({ page, server }) => {
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Screen');
  await expect(vm.screen).toBeVisible();
  await vm.button('Paste text…').click();
  const dialog = page.getByRole('dialog', { name: 'Paste text as keystrokes' });
  const text = dialog.getByLabel('Text to type');
  await text.fill('naïve');
  await expect(dialog.getByText('Character 3 is "ï" (U+00EF)')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Type it' })).toBeDisabled();
  await text.fill('echo pasted-$((40+2)) > /dev/ttyS0\n');
  await shot(page, 'screen-paste-dialog');
  await dialog.getByRole('button', { name: 'Type it' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Typing 35 characters' })).toBeVisible();

  // The output lands after the serial shell's prompt (the command itself was typed on tty1).
  await vm.tab('Serial').click();
  await expect
    .poll(async () => (await vm.terminalLines('serial')).join('\n'), { timeout: 60_000 })
    .toMatch(/^(tinylinux# )?pasted-42$/m);
});

test('screenshot: the endpoint returns a 720x400 PNG and the button downloads it', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const res = await page.request.get(`/api/vms/${guestId}/screenshot.png`);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toMatch(/^image\/png/);
  const png = await res.body();
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({ width: 720, height: 400 });

  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Screen');
  const download = page.waitForEvent('download');
  await vm.button('Screenshot').click();
  expect((await download).suggestedFilename()).toMatch(new RegExp(`^${GUEST}-.*\\.png$`));
});

/**
 * Types on the guest's screen with Shift pressed where the US layout needs it: noVNC sends the key's
 * scancode, and Playwright's `type('>')` presses the key without Shift (the guest would see '.').
 */
async function typeOnScreen(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    if (ch === '>' || /[A-Z]/.test(ch)) {
      await page.keyboard.down('Shift');
      await page.keyboard.press(ch === '>' ? 'Period' : `Key${ch}`);
      await page.keyboard.up('Shift');
    } else await page.keyboard.type(ch);
  }
}

/** Whether a box lies wholly inside a viewport of this size. */
function inside(box: { x: number; y: number; width: number; height: number } | null, w: number, h: number) {
  return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= w && box.y + box.height <= h;
}

test('screen: scale to fit fits the window; full window; a pop-out window of its own', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await vm.goto(guestId, 'Screen');
    await expect.poll(async () => (await screenStats(vm.screen)).lit).toBeGreaterThan(2000);
    await expect(vm.button('Scale to fit')).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(async () => inside(await vm.screen.boundingBox(), width, height)).toBe(true);
  }

  // Full window: the toolbar folds away and the screen takes the window.
  await vm.button('Full window').click();
  await expect(page.getByRole('group', { name: 'Screen controls' })).toHaveCount(0);
  await expect
    .poll(async () => {
      const box = await vm.screen.boundingBox();
      return inside(box, 1024, 700) && (box?.width ?? 0) > 1000;
    })
    .toBe(true);
  await shot(page, 'screen-full-window');
  await vm.button('Show toolbar').click();
  await vm.button('Full window').click();
  await expect(vm.button('Show toolbar')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: GUEST, level: 1 })).toBeInViewport();

  // The pop-out window connects on its own.
  const [popup] = await Promise.all([page.waitForEvent('popup'), vm.button('Open in a new window').click()]);
  await expect(popup).toHaveURL(new RegExp(`/vms/${guestId}/console-window$`));
  const win = new VmPage(popup, GUEST);
  await expect
    .poll(async () => (await screenStats(win.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(2000);
  await expect(popup).toHaveTitle(`Screen of ${GUEST} · virtweb`);
  const size = popup.viewportSize();
  if (size) expect(inside(await win.screen.boundingBox(), size.width, size.height)).toBe(true);
  await popup.close();
});

test('keys: a sticky Ctrl combines with a key typed on the screen; Esc, Tab, Super, PrintScreen', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Screen');
  await expect.poll(async () => (await screenStats(vm.screen)).lit).toBeGreaterThan(2000);
  await vm.screen.click();
  await page.keyboard.type('echo junk');

  await vm.button(/^Send key/).click();
  for (const key of ['Esc', 'Tab', 'Super (Windows key)', 'PrintScreen', 'Alt+F4']) {
    await expect(page.getByRole('menuitem', { name: key, exact: true })).toBeVisible();
  }
  const holdCtrl = page.getByRole('menuitemcheckbox', { name: 'Hold Ctrl' });
  await expect(holdCtrl).toHaveAttribute('aria-checked', 'false');
  await holdCtrl.click();
  await expect(vm.button('Send key (Ctrl held) ▾')).toBeVisible();
  await expect(vm.screen).toBeFocused();
  // Ctrl (held by the page) + U (typed): the shell empties its line.
  await page.keyboard.press('u');
  await vm.button(/^Send key/).click();
  await expect(holdCtrl).toHaveAttribute('aria-checked', 'true');
  await holdCtrl.click();
  await expect(vm.button('Send key ▾')).toBeVisible();
  await typeOnScreen(page, 'echo sticky-ok > /dev/ttyS0');
  await page.keyboard.press('Enter');
  await vm.tab('Serial').click();
  await expect
    .poll(async () => (await vm.terminalLines('serial')).join('\n'), { timeout: 60_000 })
    .toMatch(/^(tinylinux# )?sticky-ok$/m);

  // Pastes use the guest's layout: what US has no key for, German may have; the server names what none has.
  await vm.tab('Screen').click();
  await vm.button('Paste text…').click();
  const dialog = page.getByRole('dialog', { name: 'Paste text as keystrokes' });
  await dialog.getByLabel('Text to type').fill('ß');
  await expect(dialog.getByText('no key of the US layout types it')).toBeVisible();
  await dialog.getByLabel("Guest's keyboard layout").selectOption('de');
  await expect(dialog.getByText('no key of the US layout types it')).toHaveCount(0);
  await dialog.getByLabel('Text to type').fill('ça');
  await dialog.getByRole('button', { name: 'Type it' }).click();
  await expect(
    dialog.getByText('Character 1 is "ç" (U+00E7): no key of the German layout types it.'),
  ).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('monitor: info registers prints the registers; a second window is told it is busy', async ({
  page,
  server,
}) => {
  await logIn(page, server);
  // info registers prints ~30 lines: all of them stay in view (the page object reads the rows on screen).
  await page.setViewportSize({ width: 1400, height: 1200 });
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Monitor');
  await expect.poll(async () => (await vm.terminalLines('monitor')).join('\n')).toContain('QEMU');
  await page.getByRole('button', { name: /^info registers/ }).click();
  await expect
    .poll(async () => (await vm.terminalLines('monitor')).join('\n'))
    .toContain('(qemu) info registers');
  await page.keyboard.press('Enter');
  const text = async () => (await vm.terminalLines('monitor')).join('\n');
  await expect.poll(text).toMatch(/RIP=[0-9a-f]{16}/);
  await expect.poll(text).toMatch(/RAX=[0-9a-f]{16}/);
  await shot(page, 'monitor');

  // A pasted line longer than qemu's readline takes is refused by the server, with a message in the terminal.
  await vm.focusTerminal('monitor');
  await page.keyboard.insertText('x'.repeat(5000));
  await expect.poll(text, { timeout: 30_000 }).toContain('virtweb: line longer than 4096 bytes refused');
  await page.keyboard.press('Enter');
  await page.keyboard.type('info status');
  await page.keyboard.press('Enter');
  await expect.poll(text).toContain('VM status: running');
  await page.keyboard.type('help system_reset');
  await page.keyboard.press('Enter');
  await expect.poll(text).toContain('system_reset  -- reset the system');
  await expectUnderscoreDrawn(page, vm, 'monitor', 'system_reset  --');

  const other = await page.context().newPage();
  await new VmPage(other, GUEST).goto(guestId, 'Monitor');
  await expect(other.getByRole('alert')).toContainText('the monitor is open in another window');
  await expect(other.getByRole('alert').getByRole('button', { name: 'Reconnect' })).toBeVisible();
  await other.close();
});

test('QMP: the greeting, capabilities negotiated, query-status answers running', async ({ page, server }) => {
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'QMP');
  await expect(vm.transcript).toContainText('qemu 7.');
  await expect(vm.qmpCommand).toBeEnabled();
  await expect(vm.transcript).toContainText('commands (query-commands)');

  // Tab completes from query-commands; shorthand and JSON both work; history comes back with ArrowUp.
  await vm.qmpCommand.fill('query-statu');
  await vm.qmpCommand.press('Tab');
  await expect(vm.qmpCommand).toHaveValue('query-status ');
  await vm.qmpCommand.press('Enter');
  await expect(vm.transcript).toContainText('"status": "running"');
  await vm.qmpCommand.fill('{"execute": "query-name"}');
  await vm.qmpCommand.press('Enter');
  await expect(vm.transcript).toContainText(`"name": "${GUEST}"`);
  await vm.qmpCommand.press('ArrowUp');
  await expect(vm.qmpCommand).toHaveValue('{"execute": "query-name"}');
  await vm.qmpCommand.press('ArrowUp');
  await expect(vm.qmpCommand).toHaveValue('query-status');
  await vm.qmpCommand.fill('no-such-command');
  await vm.qmpCommand.press('Enter');
  await expect(vm.transcript).toContainText('CommandNotFound');
  // The server refuses what would make the sandboxed qemu start a program, as a QMP error.
  await vm.qmpCommand.fill('migrate {"uri": "exec:true"}');
  await vm.qmpCommand.press('Enter');
  await expect(vm.transcript).toContainText('GenericError: virtweb: migrate to an exec: URI is refused');
  await shot(page, 'qmp');
});

test('Ctrl+Alt+Del from the send-key menu resets the guest; the consoles follow', async ({
  page,
  server,
}) => {
  test.setTimeout(BOOT_MS + 60_000);
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);

  // A sentinel on the serial console: the ready marker must show up again after it.
  const serialPage = await page.context().newPage();
  const serial = new VmPage(serialPage, GUEST);
  await serial.goto(guestId, 'Serial');
  await expect.poll(() => serial.terminalLines('serial')).toContain(READY);
  await serial.focusTerminal('serial');
  await serialPage.keyboard.type('echo before-reset-$((2+3))');
  await serialPage.keyboard.press('Enter');
  await expect.poll(() => serial.terminalLines('serial')).toContain('before-reset-5');

  // Watch the events socket in the page for the guest's RESET.
  await vm.goto(guestId, 'Screen');
  await expect(vm.screen).toBeVisible();
  await page.evaluate(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
        const ws = new WebSocket(`${scheme}://${location.host}/api/events`);
        const seen: string[] = [];
        Object.assign(window, { e2eQmpEvents: seen });
        ws.onmessage = (m: MessageEvent<string>) => {
          const e = JSON.parse(m.data) as { type: string; id?: string; event?: string };
          if (e.type === 'hello') resolve();
          if (e.type === 'vm.qmp-event' && e.id === id && e.event) seen.push(e.event);
        };
        ws.onerror = () => reject(new Error('the events socket failed'));
      }),
    guestId,
  );
  await vm.button(/^Send key/).click();
  await page.getByRole('menuitem', { name: 'Ctrl+Alt+Del' }).click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { e2eQmpEvents: string[] }).e2eQmpEvents), {
      timeout: BOOT_MS,
    })
    .toContain('RESET');

  // The guest boots again: a new ready marker after the sentinel.
  await expect
    .poll(
      async () => {
        const lines = await serial.terminalLines('serial');
        return lines.lastIndexOf(READY) > lines.lastIndexOf('before-reset-5');
      },
      { timeout: BOOT_MS },
    )
    .toBe(true);
  await serialPage.close();

  // The screen is connected (again) and shows the banner of the new boot.
  await expect(vm.screen).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(async () => (await screenStats(vm.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(2000);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('stop and start: the consoles say the guest is not running, then reconnect', async ({
  page,
  server,
}) => {
  test.setTimeout(BOOT_MS + 60_000);
  await logIn(page, server);
  const vm = new VmPage(page, GUEST);
  await vm.goto(guestId, 'Screen');
  await expect(vm.screen).toBeVisible();

  await page.getByRole('group', { name: 'Lifecycle' }).getByRole('button', { name: 'Power off' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Power off', exact: true }).click();
  await expect(page.getByText('Guest not running: start it to use the screen.')).toBeVisible();
  await vm.tab('Serial').click();
  await expect(page.getByText('Guest not running: start it to use the serial console.')).toBeVisible();
  await shot(page, 'serial-stopped');

  await page.getByRole('group', { name: 'Lifecycle' }).getByRole('button', { name: 'Start' }).click();
  await expect.poll(() => vm.terminalLines('serial'), { timeout: BOOT_MS }).toContain(READY);
  await vm.tab('Overview').click();
  await expect(page.getByRole('tabpanel')).toContainText('running');
  await shot(page, 'overview');
  await vm.tab('Screen').click();
  await expect(vm.screen).toBeVisible();
  await expect
    .poll(async () => (await screenStats(vm.screen)).lit, { timeout: 30_000 })
    .toBeGreaterThan(2000);
});
