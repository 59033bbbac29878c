// The soak's starting world: a data dir with the test guest (kernel, initramfs, ISO), a second ISO, an image
// with real data to convert, and N guests, each a VM with disk a (header written, slot 0) and a spare disk b.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../harness.ts';
import { makeMarkerIso } from '../storage-guest.ts';
import { DiskModel } from './disk-model.ts';
import { GuestConsole } from './guest-console.ts';
import { writeHeader } from './markers.ts';
import type { SoakContext } from './op-kit.ts';
import { BULK_IMAGE } from './ops-images.ts';
import { Guest } from './world.ts';

const run = promisify(execFile);

const KERNEL = 'tinylinux.vmlinuz';
const INITRD = 'tinylinux.initrd';
const BOOT_MS = 240_000;

/** Files the soak's data dir starts with (the ISO is copied by makeDataDir). */
export async function seedDataDir(dataDir: string): Promise<void> {
  for (const f of [KERNEL, INITRD])
    await fs.copyFile(path.join(REPO, '.cache', f), path.join(dataDir, 'images', f));
  await makeMarkerIso(path.join(dataDir, 'images/alt.iso'), 'SOAKALT');
}

async function mustCreate(ctx: SoakContext, urlPath: string, body: unknown): Promise<unknown> {
  const a = await ctx.server.api('setup', 'POST', urlPath, body);
  if (a.status !== 201)
    throw new Error(`setup: POST ${urlPath} answered ${a.status} ${JSON.stringify(a.body)}`);
  return a.body;
}

/** Images and guests through the API; the guests are started and the soak waits for their shells. */
export async function createWorld(ctx: SoakContext, guests: number): Promise<void> {
  const { world, dataDir } = ctx;
  for (const name of ['tinylinux.iso', 'alt.iso', KERNEL, INITRD]) world.images.set(name, 'exists');
  await mustCreate(ctx, '/api/images', { name: BULK_IMAGE, format: 'qcow2', size: '256M' });
  // Real data, so that a convert lasts long enough for a kill to land inside it.
  await run('qemu-io', [
    '-f',
    'qcow2',
    '-c',
    'write -q -P 0x5a 0 96M',
    path.join(dataDir, 'images', BULK_IMAGE),
  ]);
  world.images.set(BULK_IMAGE, 'exists');
  for (let i = 1; i <= guests; i++) {
    const name = `g${i}`;
    const disks = [new DiskModel(`${name}-a.qcow2`, 0), new DiskModel(`${name}-b.qcow2`, 1)] as const;
    for (const d of disks) {
      await mustCreate(ctx, '/api/images', { name: d.image, format: 'qcow2', size: '64M' });
      await writeHeader(path.join(dataDir, 'images', d.image), d.image);
      world.images.set(d.image, 'exists');
    }
    const vm = (await mustCreate(ctx, '/api/vms', {
      name,
      memoryMiB: 128,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
      // loglevel=1: no kernel message cuts into a line the soak reads on the console.
      kernel: { kernel: KERNEL, initrd: INITRD, cmdline: 'console=ttyS0,115200 quiet loglevel=1' },
      boot: 'kernel',
      nics: [],
      disks: [{ image: disks[0].image }],
    })) as { id: string };
    const guest = new Guest(name, vm.id, disks, new GuestConsole(ctx.server, vm.id, name));
    world.guests.push(guest);
    world.vms.set(vm.id, { name, existence: 'exists', guest });
    ctx.log.line(`setup ${name} is VM ${vm.id}`);
  }
  for (const g of world.guests) {
    const a = await ctx.server.api('setup', 'POST', `/api/vms/${g.id}/start`);
    if (a.status !== 202)
      throw new Error(`setup: start ${g.name} answered ${a.status} ${JSON.stringify(a.body)}`);
  }
  for (const g of world.guests) {
    if (!(await g.console.exclusive(() => g.console.probe(BOOT_MS))))
      throw new Error(`setup: ${g.name} did not answer on its serial console within ${BOOT_MS} ms`);
  }
}
