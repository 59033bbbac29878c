import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { Encoding, rfbOverWebSocket, type RfbClient } from './rfb-client.ts';
import { READY, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

function colours(pixels: Buffer | undefined): number {
  const seen = new Set<number>();
  if (!pixels) return 0;
  for (let i = 0; i < pixels.length && seen.size < 16; i += 4) seen.add(pixels.readUInt32LE(i) & 0xffffff);
  return seen.size;
}

/** Requests until a whole-screen Raw frame came in (a mode change first arrives as a DesktopSize update). */
async function wholeFrame(v: RfbClient): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const f = await v.frame();
    if (f.bytes >= v.width * v.height * 4) return;
  }
  throw new Error('no whole-screen frame');
}

/** RFB KeyEvents typing `text` on a US keyboard (Shift around the characters that need it; \n is Return). */
function keyEvents(text: string): Buffer {
  const key = (keysym: number, down: boolean) => {
    const b = Buffer.alloc(8);
    b.writeUInt8(4, 0);
    b.writeUInt8(down ? 1 : 0, 1);
    b.writeUInt32BE(keysym, 4);
    return b;
  };
  const SHIFT = 0xffe1;
  const events: Buffer[] = [];
  for (const ch of text) {
    const keysym = ch === '\n' ? 0xff0d : ch.charCodeAt(0);
    const shifted = '>_|'.includes(ch);
    if (shifted) events.push(key(SHIFT, true));
    events.push(key(keysym, true), key(keysym, false));
    if (shifted) events.push(key(SHIFT, false));
  }
  return Buffer.concat(events);
}

// The VNC websocket against the real test guest (TCG): RFB through the bridge, several viewers, a reset, a stop.
describe('VNC websocket against a real guest', () => {
  const server = useServer({ withGuestIso: true });
  let serial: WsCollector;
  let id = '';
  let idleId = '';
  const viewers: RfbClient[] = [];

  const create = async (name: string): Promise<string> => {
    const res = await server.api('POST', '/api/vms', {
      name,
      memoryMiB: 256,
      vcpus: 1,
      disks: [],
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
      nics: [],
    });
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };
  const viewer = async (): Promise<RfbClient> => {
    const v = await rfbOverWebSocket(server.ws(`/api/vms/${id}/vnc`), {
      keepPixels: true,
      encodings: [Encoding.raw, Encoding.desktopSize],
    });
    viewers.push(v);
    return v;
  };
  const readyMarkers = (): number => serial.text.split(READY).length - 1;

  beforeAll(async () => {
    id = await create('vnc');
    idleId = await create('idle');
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    serial = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    await serial.waitFor(() => readyMarkers() >= 1, 'the guest ready marker', 90_000);
  });
  afterAll(() => {
    for (const v of viewers) v.close();
    serial.ws.close();
  });

  it('speaks RFB 3.8 through the websocket: the 720x400 text console, not blank', async () => {
    const v = await viewer();
    expect(v.serverVersion).toBe('RFB 003.008\n');
    expect([v.width, v.height]).toEqual([720, 400]);
    await wholeFrame(v);
    expect(colours(v.pixels)).toBeGreaterThan(1);
  });

  it("shows the screen to a read token view-only: its keys never reach the guest, an operate viewer's do", async () => {
    const encodings = [Encoding.raw, Encoding.desktopSize];
    const open = async (scope: 'read' | 'operate') => {
      const { token } = await server.makeToken(scope, `screen ${scope}`);
      const ws = server.ws(`/api/vms/${id}/vnc`, { token });
      const v = await rfbOverWebSocket(ws, { keepPixels: true, encodings });
      viewers.push(v);
      return { ws, v };
    };
    const reader = await open('read');
    await wholeFrame(reader.v);
    expect(colours(reader.v.pixels)).toBeGreaterThan(1);
    const typist = await open('operate');
    reader.ws.send(keyEvents('echo vw-viewonly-typed >/dev/ttyS0\n'));
    typist.ws.send(keyEvents('echo vw-operate-typed >/dev/ttyS0\n'));
    await serial.waitFor(
      (c) => c.text.includes('vw-operate-typed'),
      "the operate viewer's line on ttyS0",
      60_000,
    );
    expect(serial.text).not.toContain('vw-viewonly-typed');
    // The read viewer is still served.
    await wholeFrame(reader.v);
  });

  it('serves two viewers at once, each with its own updates', async () => {
    const [a, b] = [await viewer(), await viewer()];
    await Promise.all([wholeFrame(a), wholeFrame(b)]);
    // Incremental requests are answered when the screen changes: both viewers see the same new line.
    const updates = Promise.all([a.frame(true), b.frame(true)]);
    serial.ws.send('echo vw-two-viewers > /dev/tty1\n');
    const [ua, ub] = await updates;
    expect(ua.rects).toBeGreaterThan(0);
    expect(ub.rects).toBeGreaterThan(0);
  });

  it('serves 20 viewers that connect in the same moment (qemu listens with a backlog of 1)', async () => {
    const opened = await Promise.all(Array.from({ length: 20 }, () => viewer()));
    expect(opened.map((v) => v.serverVersion)).toEqual(Array(20).fill('RFB 003.008\n'));
    await Promise.all(opened.map((v) => v.frame()));
  });

  it('keeps a viewer through a guest reset', { timeout: 150_000 }, async () => {
    const v = await viewer();
    await wholeFrame(v);
    const before = readyMarkers();
    expect((await server.api('POST', `/api/vms/${id}/reset`)).status).toBe(202);
    await serial.waitFor(() => readyMarkers() > before, 'the ready marker after the reset', 120_000);
    await wholeFrame(v);
    expect([v.width, v.height]).toEqual([720, 400]);
    expect(colours(v.pixels)).toBeGreaterThan(1);
  });

  it('refuses unknown and stopped VMs with a reason', async () => {
    const unknown = server.ws('/api/vms/000000000000/vnc');
    expect(await closed(unknown)).toEqual({ code: 4404, reason: 'no VM 000000000000' });
    const idle = server.ws(`/api/vms/${idleId}/vnc`);
    expect(await closed(idle)).toEqual({ code: 4409, reason: 'idle is not running' });
  });

  it('closes viewers with 1000 "guest stopped" when the guest stops; later viewers get 4409', async () => {
    const ws = server.ws(`/api/vms/${id}/vnc`);
    await new Promise((r) => ws.once('open', r));
    const bye = closed(ws);
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    expect(await bye).toEqual({ code: 1000, reason: 'guest stopped' });
    const late = server.ws(`/api/vms/${id}/vnc`);
    expect(await closed(late)).toEqual({ code: 4409, reason: 'vnc is not running' });
  });
});
