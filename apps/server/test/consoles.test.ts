import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng, vncDisplaySize } from './console-helpers.ts';
import { READY, type TestServer, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';

interface VmBody {
  id: string;
  state: string;
}

// One real guest (test ISO, TCG) shared by every console test; the reboot and the power-off come last.
describe('consoles against real qemu', () => {
  const server = useServer({ withGuestIso: true });
  const { dataDir } = server;
  let events: WsCollector;
  let serial: WsCollector;
  let id = '';
  let idleId = '';

  const waitState = async (state: string, timeoutMs = 10_000): Promise<void> => {
    const t0 = Date.now();
    for (;;) {
      const v = (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
      if (v.state === state) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`VM stayed ${v.state}, wanted ${state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** A vm.updated event of this VM with this state, among the events from index `since` on. */
  const sawState = (state: string, since = 0): boolean =>
    events.messages
      .slice(since)
      .some((m) => m.includes('"vm.updated"') && m.includes(`"state":"${state}"`) && m.includes(id));
  /** Opens a console websocket and waits until it is open. */
  const open = async (urlPath: string): Promise<WsCollector> => {
    const c = new WsCollector(server.ws(urlPath));
    await c.opened();
    return c;
  };
  const closedWith = async (c: WsCollector): Promise<{ code: number; reason: string }> => {
    await c.waitFor((x) => x.closed !== undefined, 'the websocket to close', 10_000);
    return c.closed ?? { code: 0, reason: '' };
  };
  const hmp = async (monitor: WsCollector, command: string, expected: RegExp): Promise<void> => {
    const from = monitor.text.length;
    monitor.ws.send(Buffer.from(`${command}\r`));
    await monitor.waitFor((c) => expected.test(c.text.slice(from)), `${command} output`, 10_000);
  };

  beforeAll(async () => {
    events = await open('/api/events');
    const vm = { memoryMiB: 256, vcpus: 1, cdrom: 'tinylinux.iso', boot: 'cdrom', nics: [] };
    id = ((await server.api('POST', '/api/vms', { name: 'tiny', ...vm })).body as VmBody).id;
    idleId = ((await server.api('POST', '/api/vms', { name: 'idle', ...vm })).body as VmBody).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    serial = await open(`/api/vms/${id}/serial`);
    await serial.waitFor((c) => c.text.includes(READY), 'the guest ready marker');
  });

  it('bridges the HMP monitor: info commands, stop and cont reach the VM state', async () => {
    const monitor = await open(`/api/vms/${id}/monitor`);
    await monitor.waitFor((c) => c.text.includes('(qemu) '), 'the monitor prompt', 10_000);
    await hmp(monitor, 'info status', /VM status: running/);
    await hmp(monitor, 'info registers', /RAX=[0-9a-f]{16}[\s\S]*RIP=[0-9a-f]{16}/);

    const second = new WsCollector(server.ws(`/api/vms/${id}/monitor`));
    expect(await closedWith(second)).toEqual({ code: 4409, reason: 'the monitor is open in another window' });

    const beforeStop = events.messages.length;
    await hmp(monitor, 'stop', /\(qemu\) $/);
    await waitState('paused');
    await events.waitFor(() => sawState('paused', beforeStop), 'the paused event', 5000);
    await hmp(monitor, 'info status', /VM status: paused/);
    const beforeCont = events.messages.length;
    await hmp(monitor, 'cont', /\(qemu\) $/);
    await waitState('running');
    await events.waitFor(() => sawState('running', beforeCont), 'the running event after cont', 5000);
    monitor.ws.close();
    await closedWith(monitor);

    // The slot is free again once the first viewer has left.
    const again = await open(`/api/vms/${id}/monitor`);
    await again.waitFor((c) => c.text.includes('(qemu) '), 'the prompt for the next viewer', 10_000);
    again.ws.close();
    await closedWith(again);
  });

  it("gives the browser its own QMP session without disturbing the server's", async () => {
    const qmp = await open(`/api/vms/${id}/qmp`);
    await qmp.waitFor((c) => c.text.includes('"QMP"'), 'the QMP greeting', 10_000);
    qmp.ws.send(Buffer.from('{"execute":"qmp_capabilities"}\n'));
    await qmp.waitFor((c) => c.text.includes('"return": {}'), 'capabilities negotiated', 5000);
    qmp.ws.send(Buffer.from('{"execute":"query-status","id":7}\n'));
    await qmp.waitFor(
      (c) => /"status": "running"[\s\S]*"id": 7|"id": 7[\s\S]*"status": "running"/.test(c.text),
      'query-status',
      5000,
    );

    const second = new WsCollector(server.ws(`/api/vms/${id}/qmp`));
    expect(await closedWith(second)).toEqual({
      code: 4409,
      reason: 'the QMP console is open in another window',
    });
    // The server's own QMP connection still answers: a pause round trip through the REST API.
    expect((await server.api('POST', `/api/vms/${id}/pause`)).body).toMatchObject({ state: 'paused' });
    expect((await server.api('POST', `/api/vms/${id}/resume`)).body).toMatchObject({ state: 'running' });
    await qmp.waitFor(
      (c) => c.text.includes('"event": "STOP"') && c.text.includes('"event": "RESUME"'),
      'events',
      5000,
    );
    qmp.ws.close();
    await closedWith(qmp);
  });

  it('serves a PNG screenshot of the guest display at its real size', async () => {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/vms/${id}/screenshot.png`, {
      headers: { cookie: server.cookie },
    });
    const ms = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const img = decodePng(png);
    const display = await vncDisplaySize(path.join(dataDir, 'run', id, 'vnc.sock'));
    expect({ width: img.width, height: img.height }).toEqual(display);
    expect(display).toEqual({ width: 720, height: 400 }); // VGA text mode, 80x25 cells of 9x16
    expect(img.colours.size).toBeGreaterThan(1);
    console.log(`screenshot ${img.width}x${img.height}: ${png.length} bytes in ${ms.toFixed(0)} ms`);
    const left = (await fs.readdir(path.join(dataDir, 'run', id))).filter((f) => f.startsWith('screendump'));
    expect(left).toEqual([]);
  });

  it('types pasted text on the VGA console, pastes in order', async () => {
    const first = await server.api('POST', `/api/vms/${id}/type`, {
      text: 'echo pasted-$((40+2)) > /dev/ttyS0\n',
    });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ chars: 35 });
    const second = await server.api('POST', `/api/vms/${id}/type`, {
      text: 'echo second-$((2*2)) >/dev/ttyS0\n',
    });
    expect(second.status).toBe(202);
    const etaMs = (second.body as { etaMs: number }).etaMs;
    expect(etaMs).toBeGreaterThan((first.body as { etaMs: number }).etaMs);
    const t0 = Date.now();
    await serial.waitFor((c) => /pasted-42[\s\S]*second-4/.test(c.text), 'both pastes on ttyS0', 15_000);
    console.log(`typed 68 characters in ${Date.now() - t0} ms (estimated ${etaMs} ms)`);
  });

  it("types with the guest's layout: German keys reach a guest whose console is US", async () => {
    // The test guest's console keymap is US, so it shows which keys were pressed: a German keyboard has
    // Y and Z swapped, ü where US has [, ß on - and ? on Shift+-.
    const paste = async (text: string, layout?: string) => {
      const res = await server.api('POST', `/api/vms/${id}/type`, { text, ...(layout ? { layout } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    };
    await paste('echo layout-');
    await paste('zyüß?', 'de');
    await paste(' > /dev/ttyS0\n', 'us');
    await serial.waitFor((c) => /^layout-yz\[-_\r?$/m.test(c.text), 'the German keys on ttyS0', 15_000);
    // The Windows key, Esc, Tab and PrintScreen are keys like any other.
    for (const keys of ['super', 'esc', 'print', 'shift-tab']) {
      expect((await server.api('POST', `/api/vms/${id}/send-keys`, { keys })).status).toBe(204);
    }
  });

  it('refuses bad bodies with 400 and details', async () => {
    const bad = async (p: string, body: unknown): Promise<string> => {
      const res = await server.api('POST', `/api/vms/${id}/${p}`, body);
      expect(res.status).toBe(400);
      return JSON.stringify(res.body);
    };
    expect(await bad('send-keys', { keys: 'ctrl-alt-f13' })).toContain('"path":"keys"');
    expect(await bad('send-keys', { keys: 'ctrl-alt-delete', more: 1 })).toContain('validation_failed');
    expect(await bad('type', { text: 'héllo' })).toContain('character 2 is \\"é\\" (U+00E9)');
    expect(await bad('type', { text: 'x'.repeat(4097) })).toContain('at most 4096');
    expect(await bad('type', { text: 'tab\tok\r\n' })).toContain('U+000D');
    expect(await bad('type', { text: 'ça', layout: 'de' })).toContain('no key of the German layout types it');
    expect(await bad('type', { text: 'x', layout: 'dvorak' })).toContain('"path":"layout"');
    expect(await bad('type', {})).toContain('"path":"text"');
    expect(await bad('type', '{not json')).toContain('not valid JSON');
  });

  it('refuses consoles and keys of unknown (4404/404) and stopped (4409/409) VMs', async () => {
    for (const name of ['monitor', 'qmp']) {
      const unknown = new WsCollector(server.ws(`/api/vms/000000000000/${name}`));
      expect(await closedWith(unknown)).toEqual({ code: 4404, reason: 'no VM 000000000000' });
      const stopped = new WsCollector(server.ws(`/api/vms/${idleId}/${name}`));
      expect(await closedWith(stopped)).toEqual({ code: 4409, reason: 'VM idle is not running' });
    }
    // Session and origin are checked at the upgrade, before the route.
    const refusal = (ws: ReturnType<TestServer['ws']>): Promise<string> =>
      new Promise((resolve) => ws.once('error', (e) => resolve(e.message)));
    expect(await refusal(server.ws(`/api/vms/${id}/monitor`, { cookie: '' }))).toMatch(/401/);
    expect(await refusal(server.ws(`/api/vms/${id}/qmp`, { origin: 'http://evil.example' }))).toMatch(/403/);
    const keys = { keys: 'ctrl-alt-delete' };
    expect((await server.api('GET', `/api/vms/${idleId}/screenshot.png`)).status).toBe(409);
    expect((await server.api('POST', `/api/vms/${idleId}/send-keys`, keys)).status).toBe(409);
    expect((await server.api('POST', `/api/vms/${idleId}/type`, { text: 'ls\n' })).status).toBe(409);
    expect((await server.api('GET', '/api/vms/000000000000/screenshot.png')).status).toBe(404);
    expect((await server.api('POST', '/api/vms/000000000000/send-keys', keys)).status).toBe(404);
    expect((await server.api('POST', '/api/vms/000000000000/type', { text: 'ls\n' })).status).toBe(404);
  });

  it('resets the guest with send-keys ctrl-alt-delete', async () => {
    expect((await server.api('POST', `/api/vms/${id}/send-keys`, { keys: 'ctrl-alt-delete' })).status).toBe(
      204,
    );
    await events.waitFor(
      () => events.messages.some((m) => m.includes('"RESET"')),
      'the RESET qmp event',
      15_000,
    );
    await serial.waitFor((c) => c.text.split(READY).length > 2, 'the ready marker after the reboot');
  });

  it('closes open consoles with 1000 "guest stopped" when the guest exits', async () => {
    const monitor = await open(`/api/vms/${id}/monitor`);
    const qmp = await open(`/api/vms/${id}/qmp`);
    await qmp.waitFor((c) => c.text.includes('"QMP"'), 'the QMP greeting', 10_000);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    expect(await closedWith(monitor)).toEqual({ code: 1000, reason: 'guest stopped' });
    expect(await closedWith(qmp)).toEqual({ code: 1000, reason: 'guest stopped' });
    await waitState('stopped');
    expect(await closedWith(new WsCollector(server.ws(`/api/vms/${id}/monitor`)))).toEqual({
      code: 4409,
      reason: 'VM tiny is not running',
    });
  });
});
