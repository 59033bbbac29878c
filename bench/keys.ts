// Benchmark: keystroke latency on the VNC path. A key (KeyEvent down + up) sent to the test guest, whose tty1
// shell echoes it on the VGA text console, until the first framebuffer update that carries the echo;
// through virtweb's VNC websocket against straight to qemu's VNC unix socket (RFB directly), alternating
// A B A B. The echo is told from the cursor's blink by its size: a glyph changes more pixels than a cursor.
import type { TestServer } from '../apps/server/test/harness.ts';
import { saveResult } from './lib/results.ts';
import { keyEvent, viewerOverUnix, viewerThroughServer, type Viewer } from './lib/rfb-wires.ts';
import { benchServer, disposeServer } from './lib/server.ts';
import { ms, summarize, textTable } from './lib/stats.ts';
import { bootTestGuest } from './vnc/guest.ts';

const KEYS = Number(process.env.BENCH_KEYS ?? 30);
const TARGET = { ratio: 1.1, plusMs: 2 };
/** X keysyms: `m` (a wide glyph) and BackSpace (which erases it again, so the line never wraps). */
const KEY_M = 0x6d;
const BACKSPACE = 0xff08;
/** More pixels than a moving or blinking underline cursor (2 of 16 scanlines of a 9-pixel cell, twice). */
const ECHO_PIXELS = 40;

function changedPixels(before: Buffer, after: Buffer): number {
  let n = 0;
  for (let i = 0; i < after.length; i += 4) if (before.readUInt32LE(i) !== after.readUInt32LE(i)) n++;
  return n;
}

/** ms from sending `keysym` until an update changes at least ECHO_PIXELS pixels. */
async function keyToEcho(viewer: Viewer, keysym: number): Promise<number> {
  const { rfb } = viewer;
  const before = Buffer.from(rfb.pixels ?? Buffer.alloc(0));
  const t0 = performance.now();
  viewer.send(Buffer.concat([keyEvent(keysym, true), keyEvent(keysym, false)]));
  for (;;) {
    await rfb.frame(true);
    const now = rfb.pixels ?? Buffer.alloc(0);
    if (changedPixels(before, now) >= ECHO_PIXELS) return performance.now() - t0;
    if (performance.now() - t0 > 10_000) throw new Error('no echo within 10 s');
  }
}

/** Lets the guest's output settle: frames until one update changes nothing more than the cursor. */
async function settle(viewer: Viewer): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
  await viewer.rfb.frame(false);
}

async function bothPaths(server: TestServer): Promise<{ virtweb: number[]; direct: number[] }> {
  const guest = await bootTestGuest(server);
  const through = await viewerThroughServer(server, guest.id, { keepPixels: true });
  const direct = await viewerOverUnix(guest.vncPath, { keepPixels: true });
  const out = { virtweb: [] as number[], direct: [] as number[] };
  try {
    await settle(through);
    await settle(direct);
    for (let i = 0; i < KEYS; i++) {
      for (const [viewer, into] of [
        [through, out.virtweb],
        [direct, out.direct],
      ] as const) {
        // Both viewers see the same screen: the other one must catch up before it is measured.
        await settle(through);
        await settle(direct);
        into.push(await keyToEcho(viewer, i % 2 === 0 ? KEY_M : BACKSPACE));
      }
    }
  } finally {
    through.rfb.close();
    direct.rfb.close();
  }
  return out;
}

export async function keysBench(): Promise<void> {
  const server = await benchServer();
  try {
    const { virtweb, direct } = await bothPaths(server);
    const a = summarize(virtweb);
    const b = summarize(direct);
    const bound = b.median * TARGET.ratio + TARGET.plusMs;
    console.log(
      `\nkeystroke -> echo on the VNC framebuffer, test guest's tty1 (VGA text), ${KEYS} keys per path`,
    );
    console.log(
      textTable([
        ['path', 'median', 'p90', 'min', 'max'],
        ['virtweb VNC websocket', ms(a.median), ms(a.p90), ms(a.min), ms(a.max)],
        ["qemu's VNC unix socket", ms(b.median), ms(b.p90), ms(b.min), ms(b.max)],
      ]),
    );
    console.log(
      `  virtweb / direct: ${(a.median / b.median).toFixed(2)}x, +${(a.median - b.median).toFixed(1)} ms ` +
        `(target <= ${TARGET.ratio}x + ${TARGET.plusMs} ms = ${bound.toFixed(1)} ms) ${a.median <= bound ? 'ok' : 'MISSED'}`,
    );
    saveResult({
      bench: 'keys',
      params: { keys: KEYS },
      figures: {
        'virtweb.median': a.median,
        'virtweb.p90': a.p90,
        'direct.median': b.median,
        'direct.p90': b.p90,
        ratio: a.median / b.median,
      },
    });
  } finally {
    await disposeServer(server);
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await keysBench();
