// The migration engine against real qemu (TCG, two processes on this host, loopback): live migration with a
// counter running on the serial console, cancel, a dying target, save/restore through zstd, copy storage.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createImage } from '@virtweb/qemu';
import type { MigrationOptions, MigrationPhase, MigrationProgress } from '@virtweb/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  finishIncoming,
  prepareIncoming,
  restoreState,
  runLiveMigration,
  saveState,
  startNbdExports,
  type MigrationTuning,
} from '../src/engine/qemu-direct/migration/index.ts';
import { expectMigrationError, PLAIN_OPTIONS } from '../src/engine/qemu-direct/migration/test-support.ts';
import { countingRelay } from './counting-relay.ts';
import { GuestLab, readImageBytes, type LabGuest } from './migration-guests.ts';

const lab = new GuestLab();
afterEach(() => lab.cleanup());

const OPTIONS = PLAIN_OPTIONS;
const status = async (g: LabGuest) => (await g.proc.qmp.execute('query-status')).status;

/** Target qemu waiting for a stream on loopback with the source's capabilities. */
async function target(
  name: string,
  memoryMiB: number,
  options: MigrationOptions,
  more: { disks?: string[]; tuning?: MigrationTuning } = {},
) {
  const guest = await lab.start({
    name,
    memoryMiB,
    incoming: true,
    disks: (more.disks ?? []).map((p) => ({ path: p, format: 'qcow2' })),
  });
  const endpoint = await prepareIncoming(guest.proc.qmp, {
    listenHost: '127.0.0.1',
    capabilities: options,
    ...(more.tuning ? { tuning: more.tuning } : {}),
  });
  return { guest, endpoint };
}

describe('live migration between two qemu processes', () => {
  it('moves a running guest: its counter continues on the target, the source ends in postmigrate', async () => {
    const a = await lab.startCounting({ name: 'mig-a', memoryMiB: 256 });
    const { guest: b, endpoint } = await target('mig-b', 256, OPTIONS);
    expect(endpoint.uri).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    const phases = new Set<MigrationPhase>();
    const seen: MigrationProgress[] = [];
    const t0 = Date.now();
    const result = await runLiveMigration(a.proc.qmp, {
      uri: endpoint.uri,
      options: OPTIONS,
      onProgress: (p, phase) => {
        phases.add(phase);
        seen.push(p);
      },
    });
    const lastOnA = a.serial.lastTick();
    expect(await status(a)).toBe('postmigrate');
    await finishIncoming(b.proc.qmp);
    const pauseMs = Date.now() - t0 - result.elapsedMs;
    expect(await status(b)).toBe('running');
    // Larger numbers on B: the same shell loop went on, it did not start again at 1.
    const firstOnB = await b.serial.tickAbove(lastOnA, 30_000);
    expect(firstOnB).toBeGreaterThan(lastOnA);
    expect(b.serial.ticks().every((n) => n > lastOnA)).toBe(true);
    // What is checked is that nothing arrives: the source prints no tick within a second.
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.serial.lastTick()).toBe(lastOnA);
    expect(phases.has('migrating')).toBe(true);
    expect(seen.some((p) => p.totalBytes >= 256 * 1024 * 1024 && p.transferredBytes > 0)).toBe(true);
    expect(result.totalTimeMs).toBeGreaterThan(0);
    expect(result.downtimeMs).toBeGreaterThan(0);
    console.log(
      `[measure] live migration, 256 MiB TCG guest on loopback, qemu defaults (128 MiB/s, 300 ms): ` +
        `total ${result.totalTimeMs} ms, downtime ${result.downtimeMs} ms, passes ${result.passes}, ` +
        `${(result.transferredBytes / 1048576).toFixed(1)} MiB sent; target running ` +
        `${pauseMs} ms after runLiveMigration returned`,
    );
  }, 150_000);

  it('cancel mid-way: the source keeps running, its counter goes on, the error says cancelled', async () => {
    const options: MigrationOptions = { ...OPTIONS, bandwidthMiBs: 1 };
    const a = await lab.startCounting({ name: 'cancel-a', memoryMiB: 128 });
    const { endpoint } = await target('cancel-b', 128, options);
    const abort = new AbortController();
    const err = await expectMigrationError(
      runLiveMigration(a.proc.qmp, {
        uri: endpoint.uri,
        options,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.transferredBytes > 1024 * 1024) abort.abort();
        },
      }),
    );
    expect(err.outcome).toBe('cancelled');
    expect(err.message).toMatch(/cancelled/);
    expect(await status(a)).toBe('running');
    expect((await a.proc.qmp.execute('query-migrate')).status).toBe('cancelled');
    const last = a.serial.lastTick();
    await a.serial.tickAbove(last + 3);
  }, 150_000);

  it('target killed mid-way: the source keeps running, the error carries qemu reason', async () => {
    const options: MigrationOptions = { ...OPTIONS, bandwidthMiBs: 1 };
    const a = await lab.startCounting({ name: 'kill-a', memoryMiB: 128 });
    const { guest: b, endpoint } = await target('kill-b', 128, options);
    let killed = false;
    const err = await expectMigrationError(
      runLiveMigration(a.proc.qmp, {
        uri: endpoint.uri,
        options,
        onProgress: (p) => {
          if (!killed && p.transferredBytes > 1024 * 1024) killed = b.proc.kill('SIGKILL');
        },
      }),
    );
    expect(killed).toBe(true);
    expect(err.outcome).toBe('failed');
    expect(err.qemuReason).toBeTruthy();
    expect(err.message).toContain(err.qemuReason);
    console.log(`[info] qemu's reason when the target dies: ${err.qemuReason ?? ''}`);
    expect(await status(a)).toBe('running');
    const last = a.serial.lastTick();
    await a.serial.tickAbove(last + 3);
  }, 150_000);
});

describe('options that both sides must share', () => {
  it('multifd (3 channels on both sides) with auto-converge: the guest moves', async () => {
    const options: MigrationOptions = { ...OPTIONS, multifd: true, autoConverge: true };
    const tuning = { multifdChannels: 3 };
    const a = await lab.startCounting({ name: 'mfd-a', memoryMiB: 128 });
    const { guest: b, endpoint } = await target('mfd-b', 128, options, { tuning });
    const result = await runLiveMigration(a.proc.qmp, { uri: endpoint.uri, options, tuning });
    expect(result.totalTimeMs).toBeGreaterThan(0);
    expect(result.downtimeMs).toBeGreaterThan(0);
    const params = await b.proc.qmp.execute('query-migrate-parameters');
    expect(params['multifd-channels']).toBe(3);
    const lastOnA = a.serial.lastTick();
    await finishIncoming(b.proc.qmp);
    await b.serial.tickAbove(lastOnA);
    console.log(
      `[measure] multifd x3, 128 MiB: total ${result.totalTimeMs} ms, downtime ${result.downtimeMs} ms`,
    );
  }, 150_000);

  it('zstd (multifd-compression on both sides): the guest moves on, with fewer bytes on the wire', async () => {
    // A -> B plain multifd, then B -> C with zstd: the same guest, so the bytes on the wire compare.
    const plain: MigrationOptions = { ...OPTIONS, multifd: true };
    const zstd: MigrationOptions = { ...OPTIONS, compress: 'zstd' };
    const a = await lab.startCounting({ name: 'zstd-a', memoryMiB: 128 });
    const { guest: b, endpoint: toB } = await target('zstd-b', 128, plain);
    const relayB = await countingRelay(toB.uri);
    const first = await runLiveMigration(a.proc.qmp, { uri: relayB.uri, options: plain });
    await finishIncoming(b.proc.qmp);
    await a.proc.stop({ from: 'quit' });
    const { guest: c, endpoint: toC } = await target('zstd-c', 128, zstd);
    const relayC = await countingRelay(toC.uri);
    const second = await runLiveMigration(b.proc.qmp, { uri: relayC.uri, options: zstd });
    for (const g of [b, c]) {
      const params = await g.proc.qmp.execute('query-migrate-parameters');
      expect(params['multifd-compression']).toBe('zstd');
    }
    const lastOnB = b.serial.lastTick();
    await finishIncoming(c.proc.qmp);
    expect(await status(c)).toBe('running');
    await c.serial.tickAbove(lastOnB);
    expect(c.serial.ticks().every((n) => n > lastOnB)).toBe(true);
    const [plainWire, zstdWire] = [relayB.bytes(), relayC.bytes()];
    await Promise.all([relayB.close(), relayC.close()]);
    expect(zstdWire).toBeLessThan(plainWire / 2);
    const mib = (n: number) => (n / 1048576).toFixed(1);
    console.log(
      `[measure] 128 MiB guest, multifd x2 on loopback: plain ${mib(plainWire)} MiB on the wire in ` +
        `${first.totalTimeMs} ms (downtime ${first.downtimeMs} ms), zstd ${mib(zstdWire)} MiB in ` +
        `${second.totalTimeMs} ms (downtime ${second.downtimeMs} ms); qemu 7.2 reports ` +
        `${mib(first.transferredBytes)} / ${mib(second.transferredBytes)} MiB (before compression)`,
    );
  }, 200_000);

  it('post-copy with copy storage: after the first pass the target runs, the rest of RAM follows', async () => {
    // The guest may pause for 1 ms only: pre-copy alone never converges (its timer and counter dirty more than
    // 16 KiB a pass), only the switch to post-copy ends it.
    // NOTE: not a guest that keeps rewriting RAM: under TCG, qemu 7.2's post-copy then lost writes about 1 run
    // in 7 (the guest's kernel crashed on the target), which is why migration checks refuse post-copy for TCG
    // guests (checks.ts). The engine's part (switch, target start, the rest of RAM on demand) is the same.
    // Even a quiet guest's kernel panicked on the target once in a loaded full run: a run whose target kernel
    // panicked is tried once more (qemu's bug, not the engine's); anything else fails at once.
    for (let attempt = 1; ; attempt++) {
      const run = await postcopyWithCopyStorage(attempt);
      if (run.ok) return;
      if (!run.kernelPanicked || attempt === 2) throw run.error;
      console.log(`[flaky-upstream] post-copy under TCG: the target's kernel panicked; trying again`);
    }
  }, 300_000);
});

/** One post-copy move with copy storage; a failure says whether the target guest's kernel panicked. */
async function postcopyWithCopyStorage(
  attempt: number,
): Promise<{ ok: true } | { ok: false; error: unknown; kernelPanicked: boolean }> {
  const options: MigrationOptions = {
    ...OPTIONS,
    postcopy: true,
    xbzrle: true,
    bandwidthMiBs: 16,
    maxDowntimeMs: 1,
  };
  const dir = await lab.dir();
  const [srcImage, dstImage] = [path.join(dir, 'src.qcow2'), path.join(dir, 'dst.qcow2')];
  for (const p of [srcImage, dstImage]) await createImage({ path: p, format: 'qcow2', sizeBytes: 16 << 20 });
  const a = await lab.startCounting({
    name: `pc-a${attempt}`,
    memoryMiB: 128,
    disks: [{ path: srcImage, format: 'qcow2' }],
  });
  await a.serial.sh('echo virtweb-marker-456 > /dev/vda; sync');
  const { guest: b, endpoint } = await target(`pc-b${attempt}`, 128, options, { disks: [dstImage] });
  try {
    const mirror = await startNbdExports(b.proc.qmp, {
      listenHost: '127.0.0.1',
      disks: [{ node: 'disk0', exportName: 'disk0' }],
    });
    let targetStarted: Promise<void> | undefined;
    let lastOnA = 0;
    const result = await runLiveMigration(a.proc.qmp, {
      uri: endpoint.uri,
      options,
      mirror,
      onProgress: (_p, phase) => {
        if (phase !== 'postcopy' || targetStarted) return;
        lastOnA = a.serial.lastTick();
        targetStarted = finishIncoming(b.proc.qmp);
      },
    });
    expect(result.postcopy).toBe(true);
    expect(targetStarted).toBeDefined();
    await targetStarted;
    expect(await status(a)).toBe('postmigrate');
    await b.serial.tickAbove(lastOnA);
    const out = await b.serial.sh('echo 3 > /proc/sys/vm/drop_caches; head -c 18 /dev/vda; echo');
    expect(out).toContain('virtweb-marker-456');
    console.log(
      `[measure] post-copy, 128 MiB quiet guest, 16 MiB/s: total ${result.totalTimeMs} ms, ` +
        `downtime ${result.downtimeMs} ms, passes before the switch ${result.passes}`,
    );
    return { ok: true };
  } catch (error) {
    return { ok: false, error, kernelPanicked: b.serial.text.includes('Kernel panic') };
  }
}

describe('save and restore through zstd', () => {
  it('saves a running guest to a .zst file and restores it into a new qemu: the counter continues', async () => {
    const a = await lab.startCounting({ name: 'save-a', memoryMiB: 128 });
    const file = path.join(await lab.dir(), 'save-a.vmstate.zst');
    const saved = await saveState(a.proc.qmp, { file });
    expect(await status(a)).toBe('postmigrate');
    const lastOnA = a.serial.lastTick();
    const head = await readFile(file).then((b) => b.subarray(0, 4).toString('hex'));
    expect(head).toBe('28b52ffd'); // zstd frame magic
    expect(saved.sizeBytes).toBeGreaterThan(0);
    expect(saved.streamBytes).toBeGreaterThan(saved.sizeBytes);
    await a.proc.stop({ from: 'quit' });

    const c = await lab.start({ name: 'save-c', memoryMiB: 128, incoming: true });
    const fractions: number[] = [];
    const restored = await restoreState(c.proc.qmp, { file, onProgress: (p) => fractions.push(p.fraction) });
    expect(restored.fileBytes).toBe(saved.sizeBytes);
    expect(await status(c)).toBe('running');
    expect(fractions.at(-1)).toBe(1);
    await c.serial.tickAbove(lastOnA);
    expect(c.serial.ticks().every((n) => n > lastOnA)).toBe(true);
    console.log(
      `[measure] save 128 MiB: ${saved.streamBytes} stream bytes -> ${saved.sizeBytes} bytes zstd, ` +
        `${saved.totalTimeMs} ms; restore ${restored.elapsedMs} ms`,
    );
  }, 150_000);
});

describe('copy storage', () => {
  it('mirrors a disk over NBD while migrating: the target guest reads the marker from its own image', async () => {
    const dir = await lab.dir();
    const [srcImage, dstImage] = [path.join(dir, 'src.qcow2'), path.join(dir, 'dst.qcow2')];
    for (const p of [srcImage, dstImage])
      await createImage({ path: p, format: 'qcow2', sizeBytes: 64 << 20 });
    const a = await lab.startCounting({
      name: 'disk-a',
      memoryMiB: 128,
      disks: [{ path: srcImage, format: 'qcow2' }],
    });
    await a.serial.sh('echo virtweb-marker-123 > /dev/vda; sync');
    const { guest: b, endpoint } = await target('disk-b', 128, OPTIONS, { disks: [dstImage] });
    const mirror = await startNbdExports(b.proc.qmp, {
      listenHost: '127.0.0.1',
      disks: [{ node: 'disk0', exportName: 'disk0' }],
    });
    const phases: MigrationPhase[] = [];
    const result = await runLiveMigration(a.proc.qmp, {
      uri: endpoint.uri,
      options: OPTIONS,
      mirror,
      onProgress: (p, phase) => {
        if (phases.at(-1) !== phase) phases.push(phase);
      },
    });
    expect(phases[0]).toBe('mirroring');
    expect(phases).toContain('migrating');
    expect(await a.proc.qmp.execute('query-block-jobs')).toEqual([]);
    expect(
      (await a.proc.qmp.execute('query-named-block-nodes', { flat: true })).map((n) => n['node-name']),
    ).not.toContain('migrate-nbd-disk0');
    await finishIncoming(b.proc.qmp);
    expect(await b.proc.qmp.execute('query-block-exports')).toEqual([]);
    // The page cache came along with RAM: drop it so the read goes to B's own image.
    const out = await b.serial.sh('echo 3 > /proc/sys/vm/drop_caches; head -c 18 /dev/vda; echo');
    expect(out).toContain('virtweb-marker-123');
    await b.serial.sh('echo after-move > /dev/vda; sync');
    await b.proc.stop({ from: 'quit' });
    expect(await readImageBytes(dstImage, 10)).toBe('after-move');
    expect(await readImageBytes(srcImage, 18)).toBe('virtweb-marker-123');
    console.log(`[measure] copy storage (64 MiB disk, 128 MiB RAM): ${result.elapsedMs} ms in all`);
  }, 150_000);
});
