import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGuest, READY, WsCollector } from './harness.ts';
import { encodeFrame, Op, rawWebSocket, type RawFrame } from './raw-ws.ts';
import { useServer } from './server-fixture.ts';
import { until } from './until.ts';

const MiB = 1024 * 1024;
const UNKNOWN = '000000000000';
/** The close code of a console that is open in another window (and of a guest not running). */
const BUSY = 4409;

/** The server's resident memory, from /proc. */
async function rssBytes(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** A small deterministic PRNG (mulberry32), so that a failing fuzz run can be repeated. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// What a client can send to each websocket; the server must close the bad ones with the right code and live.
describe('websockets no client can crash the server with (real qemu)', () => {
  const server = useServer({ withGuestIso: true });
  let id = '';
  let idleId = '';
  let serial: WsCollector;

  const open = async (urlPath: string): Promise<WsCollector> => {
    const c = new WsCollector(server.ws(urlPath));
    await c.opened();
    return c;
  };
  const closedWith = async (
    c: WsCollector,
    timeoutMs = 10_000,
  ): Promise<{ code: number; reason: string }> => {
    await c.waitFor((x) => x.closed !== undefined, 'the websocket to close', timeoutMs);
    return c.closed ?? { code: 0, reason: '' };
  };
  const raw = (urlPath: string, frames: Buffer[], waitMs?: number) =>
    rawWebSocket(server.url, urlPath, { cookie: server.cookie, origin: server.url }, frames, waitMs);
  const state = async (vmId: string): Promise<string> =>
    ((await server.api('GET', `/api/vms/${vmId}`)).body as { state: string }).state;
  /** The server process is alive and answers, and the guest still runs. */
  const allAlive = async (): Promise<void> => {
    expect(process.kill(server.pid(), 0)).toBe(true);
    expect((await server.api('GET', '/api/vms')).status).toBe(200);
    expect(await state(id)).toBe('running');
  };
  const qmpSession = async (): Promise<WsCollector> => {
    const qmp = await open(`/api/vms/${id}/qmp`);
    await qmp.waitFor((c) => c.text.includes('"QMP"'), 'the QMP greeting', 10_000);
    qmp.ws.send('{"execute":"qmp_capabilities"}');
    await qmp.waitFor((c) => c.text.includes('"return": {}'), 'capabilities negotiated', 5000);
    return qmp;
  };

  beforeAll(async () => {
    id = (await createGuest(server, 'tiny')).id;
    idleId = (await createGuest(server, 'idle')).id;
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    serial = await open(`/api/vms/${id}/serial`);
    await serial.waitFor((c) => c.text.includes(READY), 'the guest ready marker');
  });

  it('closes a 2 MiB frame to /qmp with 1009, of a running guest and of unknown or stopped ones', async () => {
    const qmp = await open(`/api/vms/${id}/qmp`);
    await qmp.waitFor((c) => c.text.includes('"QMP"'), 'the QMP greeting', 10_000);
    qmp.ws.send(Buffer.alloc(2 * MiB, 0x20));
    expect((await closedWith(qmp)).code).toBe(1009);
    // Refused at once (4404, 4409): the frame arrives after the close, on the path without a route listener.
    const big = encodeFrame({ opcode: Op.binary, payload: Buffer.alloc(2 * MiB, 0x20) });
    expect(await raw(`/api/vms/${UNKNOWN}/qmp`, [big])).toEqual({ status: 101, closeCode: 4404 });
    expect(await raw(`/api/vms/${idleId}/qmp`, [big])).toEqual({ status: 101, closeCode: 4409 });
    await allAlive();
  });

  it('closes a 2 MiB frame to /serial with 1009 and invalid UTF-8 text with 1007', async () => {
    const big = await open(`/api/vms/${id}/serial`);
    big.ws.send(Buffer.alloc(2 * MiB, 0x20));
    expect((await closedWith(big)).code).toBe(1009);
    const text = await open(`/api/vms/${id}/serial`);
    text.ws.send(Buffer.from([0xc3, 0x28, 0xff]), { binary: false });
    expect((await closedWith(text)).code).toBe(1007);
    const frame = encodeFrame({ opcode: Op.binary, payload: Buffer.alloc(2 * MiB, 0x20) });
    expect(await raw(`/api/vms/${UNKNOWN}/serial`, [frame])).toEqual({ status: 101, closeCode: 4404 });
    await allAlive();
  });

  it('refuses a 32 KiB monitor line with a message; qemu lives and answers', async () => {
    const monitor = await open(`/api/vms/${id}/monitor`);
    await monitor.waitFor((c) => c.text.includes('(qemu) '), 'the monitor prompt', 10_000);
    const refused = /virtweb: line longer than 4096 bytes refused[^\n]*\r\n\(qemu\) $/;
    const longLine = async (fill: string): Promise<void> => {
      const from = monitor.text.length;
      const frame = Buffer.from(fill.repeat(WS_MAX_MESSAGE_BYTES.monitor / fill.length));
      for (let sent = 0; sent < 32 * 1024; sent += frame.length) monitor.ws.send(frame);
      await monitor.waitFor((c) => refused.test(c.text.slice(from)), 'the refusal, then a prompt', 30_000);
      // What follows on the refused line is dropped up to Enter; then the monitor works as before.
      monitor.ws.send('more of the refused line\r');
      monitor.ws.send('info status\r');
      await monitor.waitFor((c) => c.text.slice(from).includes('VM status: running'), 'info status', 10_000);
    };
    // qemu's line is emptied without a history (word by word) and with one (Up, then Down past it).
    await longLine('a');
    await longLine('ab cd ');
    // Had a cleared line kept anything, qemu would have run it when the line was submitted.
    expect(monitor.text).not.toContain('unknown command');
    monitor.ws.close();
    await closedWith(monitor);
    await allAlive();
  });

  it('refuses exec: migrations on the QMP socket with a QMP error; the guest keeps running', async () => {
    const marker = path.join(os.tmpdir(), `vw-exec-${process.pid}-${Date.now()}`);
    const qmp = await qmpSession();
    const from = qmp.text.length;
    qmp.ws.send(`{"execute":"migrate","arguments":{"uri":"exec:touch ${marker}"},"id":"m1"}`);
    qmp.ws.send(`{"execute":"migrate-incoming","arguments":{"uri":"exec:touch ${marker}"}}`);
    await qmp.waitFor((c) => c.text.slice(from).split('\n').length > 2, 'two answers', 5000);
    const [migrate, incoming] = qmp.text
      .slice(from)
      .split('\r\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { error?: { class: string; desc: string }; id?: string });
    expect(migrate).toMatchObject({ error: { class: 'GenericError' }, id: 'm1' });
    expect(migrate?.error?.desc).toMatch(/exec: URI is refused/);
    expect(incoming?.error?.desc).toMatch(/migrate-incoming to an exec: URI is refused/);
    qmp.ws.send('{"execute":"query-status","id":"after"}');
    await qmp.waitFor((c) => /"status": "running"[^\n]*"id": "after"/.test(c.text), 'query-status', 5000);
    await expect(fs.access(marker)).rejects.toThrow();
    qmp.ws.close();
    await closedWith(qmp);
    await allAlive();
  });

  it('answers malformed JSON on the QMP socket with a QMP error; the session goes on', async () => {
    const qmp = await qmpSession();
    const from = qmp.text.length;
    qmp.ws.send('{"execute": "query-status"');
    await qmp.waitFor((c) => c.text.slice(from).includes('"error"'), 'the error answer', 5000);
    expect(JSON.parse(qmp.text.slice(from).trim())).toMatchObject({
      error: { class: 'GenericError', desc: expect.stringMatching(/^virtweb: not JSON/) as string },
    });
    // Nothing of it reached qemu: a whole command right after is answered on its own.
    qmp.ws.send('{"execute":"query-status","id":2}');
    await qmp.waitFor((c) => /"status": "running"[^\n]*"id": 2/.test(c.text), 'query-status', 5000);
    qmp.ws.close();
    await closedWith(qmp);
    await allAlive();
  });

  it('survives a fuzz of frames to every socket, of running, stopped and unknown guests', async () => {
    const random = prng(12);
    const bytes = (n: number, printable: boolean): Buffer =>
      Buffer.from(
        Array.from({ length: n }, () =>
          printable ? 0x20 + Math.floor(random() * 95) : Math.floor(random() * 256),
        ),
      );
    const kinds = ['events', 'serial', 'vnc', 'monitor', 'qmp'] as const;
    const frameSets = (kind: (typeof kinds)[number], running: boolean): RawFrame[][] => {
      const max = WS_MAX_MESSAGE_BYTES[kind];
      const fragments = Math.ceil((max + 1) / 4096) + 1;
      // Random input into a running guest's shell or monitor must not run anything: no line ends, no controls.
      const printable = running && (kind === 'serial' || kind === 'monitor');
      return [
        [{ opcode: Op.binary, payload: bytes(200, printable) }],
        [{ opcode: Op.text, payload: bytes(100, true) }],
        [{ opcode: Op.text, payload: Buffer.from([0xc3, 0x28, 0xff]) }],
        [{ opcode: Op.binary, payload: bytes(16, printable), claimedLength: max + 1 }],
        Array.from({ length: fragments }, (_, i) => ({
          opcode: i === 0 ? Op.binary : Op.continuation,
          fin: i === fragments - 1,
          payload: Buffer.alloc(4096, 0x20),
        })),
        [
          { opcode: Op.text, fin: false, payload: Buffer.from('{"exe') },
          { opcode: Op.ping, payload: Buffer.from('p') },
          { opcode: Op.continuation, payload: Buffer.from('cute":"query-name"}') },
        ],
        [{ opcode: Op.continuation, payload: bytes(10, true) }],
        [
          { opcode: Op.text, fin: false, payload: Buffer.from('a') },
          { opcode: Op.text, payload: Buffer.from('b') },
        ],
        Array.from({ length: 500 }, () => ({ opcode: Op.ping, payload: bytes(125, false) })),
        [{ opcode: Op.binary, payload: bytes(20, printable), mask: false }],
        [{ opcode: Op.binary, payload: bytes(20, printable), rsv: 4 }],
        [{ opcode: 3, payload: bytes(20, false) }],
        [{ opcode: Op.ping, payload: bytes(200, false) }],
        [{ opcode: Op.close, payload: Buffer.from([0x03, 0xe7]) }],
        [{ opcode: Op.close, payload: Buffer.from([0x03]) }],
      ];
    };
    let connections = 0;
    for (const kind of kinds) {
      for (const vmId of kind === 'events' ? [id] : [id, idleId, UNKNOWN]) {
        const urlPath = kind === 'events' ? '/api/events' : `/api/vms/${vmId}/${kind}`;
        const sets = frameSets(kind, vmId === id);
        // NOTE: the monitor and QMP take one viewer at a time: one after the other, or all but one get 4409.
        const oneByOne = vmId === id && (kind === 'monitor' || kind === 'qmp');
        const send = (set: RawFrame[]) => raw(urlPath, set.map(encodeFrame), 1500);
        // The slot is free again once the server saw the previous viewer's close: until then it answers 4409.
        const sendWhenFree = (set: RawFrame[]) =>
          until('the console free for the next viewer', async () => {
            const r = await send(set);
            return r.closeCode === BUSY ? undefined : r;
          });
        const results = [];
        if (!oneByOne) results.push(...(await Promise.all(sets.map(send))));
        else for (const set of sets) results.push(await sendWhenFree(set));
        connections += results.length;
        for (const r of results) expect(r.status, urlPath).toBe(101);
      }
    }
    expect(connections).toBe(15 + 4 * 3 * 15);
    // A request path that is not a URL at all.
    expect((await rawWebSocket(server.url, '//[', { cookie: server.cookie }, [])).status).toBe(400);
    await allAlive();
    const monitor = await open(`/api/vms/${id}/monitor`);
    await monitor.waitFor((c) => c.text.includes('(qemu) '), 'the monitor prompt', 10_000);
    monitor.ws.send('info status\r');
    await monitor.waitFor((c) => c.text.includes('VM status: running'), 'info status', 10_000);
    monitor.ws.close();
    await closedWith(monitor);
  }, 120_000);

  // Last: it leaves the guest paused with a full serial line.
  it('holds bounded memory for 64 MiB of serial input into a guest that does not read', async () => {
    expect((await server.api('POST', `/api/vms/${id}/pause`)).body).toMatchObject({ state: 'paused' });
    const flood = await open(`/api/vms/${id}/serial`);
    // These pauses are the measurement: memory held over a while (settled, flooded for 3 s, after the close).
    await new Promise((r) => setTimeout(r, 500));
    const before = await rssBytes(server.pid());
    const frame = Buffer.alloc(WS_MAX_MESSAGE_BYTES.serial, 0x20); // spaces, no line end: nothing runs
    for (let sent = 0; sent < 64 * MiB; sent += frame.length) flood.ws.send(frame);
    await new Promise((r) => setTimeout(r, 3000));
    const during = await rssBytes(server.pid());
    const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;
    console.log(`server RSS ${mib(before)} before, ${mib(during)} with 64 MiB sent`);
    expect(during - before).toBeLessThan(20 * MiB);
    // Most of it still waits on this side: the server stopped reading.
    expect(flood.ws.bufferedAmount).toBeGreaterThan(32 * MiB);
    flood.ws.close(1000, 'done'); // queued behind the rest
    const closed = await closedWith(flood, 60_000);
    expect(closed).toEqual({ code: 4408, reason: 'guest not reading input: reconnect' });
    await new Promise((r) => setTimeout(r, 1000));
    const after = await rssBytes(server.pid());
    console.log(`server RSS ${mib(after)} after the close`);
    expect(after - before).toBeLessThan(20 * MiB);
    // The other console was not disturbed, and the guest runs on once resumed.
    expect(serial.closed).toBeUndefined();
    expect((await server.api('POST', `/api/vms/${id}/resume`)).body).toMatchObject({ state: 'running' });
    await allAlive();
  }, 90_000);
});
