import fs from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { apiError, createGuest, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { errorMessage, GuestShell } from './storage-guest.ts';

interface Devices {
  video: { model: string; vramMiB: number };
  sound: string;
  rng: boolean;
  watchdog: { model: string; action?: string };
  cpuModel: string;
}
interface VmBody {
  id: string;
  devices: Devices;
  pendingChanges?: string[];
}

// Video, sound, RNG, watchdog and the CPU model: validated, kept, given to qemu, and seen by the guest.
describe('guest devices', () => {
  const server = useServer({ withGuestIso: true });

  it('refuses video memory the model cannot take and a CPU model qemu lacks, at their field paths', async () => {
    const bad = async (devices: Record<string, unknown>) => {
      const res = await server.api('POST', '/api/vms', { name: 'bad', memoryMiB: 128, vcpus: 1, devices });
      expect(res.status).toBe(400);
      return apiError(res.body).details ?? [];
    };
    expect(await bad({ video: { model: 'cirrus', vramMiB: 32 } })).toEqual([
      { path: 'devices.video.vramMiB', message: 'cirrus video memory is one of 4, 8, 16 MiB, not 32' },
    ]);
    expect(await bad({ cpuModel: 'Pentium9000' })).toEqual([
      {
        path: 'devices.cpuModel',
        message: 'qemu here has no CPU model Pentium9000 (qemu-system-x86_64 -cpu help)',
      },
    ]);
    expect((await bad({ watchdog: { model: 'i6300esb', action: 'explode' } }))[0]?.path).toBe(
      'devices.watchdog.action',
    );
    expect((await bad({ cpuModel: 'qemu64,+vmx' }))[0]?.path).toBe('devices.cpuModel');
    expect(((await server.api('GET', '/api/vms')).body as unknown[]).length).toBe(0);
  });

  it("gives a new guest its OS preset's devices, and the host lists its CPU and qemu's models", async () => {
    const linux = await createGuest<VmBody>(server, 'preset-linux');
    expect(linux.devices).toEqual({
      video: { model: 'vga', vramMiB: 16 },
      sound: 'none',
      rng: true,
      watchdog: { model: 'none' },
      cpuModel: 'auto',
      cpuPinning: [],
      serialPorts: 1,
      hugepages: false,
      tpm: 'none',
    });
    const windows = await createGuest<VmBody>(server, 'preset-windows', { os: 'windows' });
    expect(windows.devices.sound).toBe('hda');
    const host = (await server.api('GET', '/api/host')).body as {
      cpu?: { flags: string[]; qemuModels: string[] };
    };
    expect(host.cpu?.qemuModels).toEqual(expect.arrayContaining(['qemu64', 'max', 'host']));
    expect(host.cpu?.flags.length).toBeGreaterThan(5);
  });

  it('starts qemu with them: the guest finds the virtio RNG and the qemu64 CPU; a change waits for the restart', async () => {
    const devices = {
      video: { model: 'virtio', vramMiB: 128 },
      sound: 'hda',
      rng: true,
      watchdog: { model: 'i6300esb', action: 'poweroff' },
      cpuModel: 'qemu64',
      serialPorts: 2,
    };
    const { id } = await createGuest<VmBody>(server, 'devices', { boot: 'cdrom', machine: 'pc', devices });
    const { argv } = (await server.api('GET', `/api/vms/${id}/command-line`)).body as { argv: string[] };
    const after = (flag: string) => argv.filter((_, i) => argv[i - 1] === flag);
    expect(after('-cpu')).toEqual(['qemu64']);
    expect(after('-device')).toEqual(
      expect.arrayContaining([
        'virtio-vga,max_hostmem=128M',
        'ich9-intel-hda,id=sound0',
        'virtio-rng-pci,rng=rng0,id=rng0-dev',
        'i6300esb,id=watchdog0',
      ]),
    );
    expect(after('-action')).toEqual(['watchdog=poweroff']);

    const start = await server.api('POST', `/api/vms/${id}/start`);
    expect(start.status, errorMessage(start.body)).toBe(202);
    const shell = await GuestShell.open(server, id);
    expect(await shell.sh('cat /sys/devices/virtual/misc/hw_random/rng_available')).toContain('virtio_rng');
    expect(await shell.sh("grep -m1 'model name' /proc/cpuinfo")).toContain('QEMU Virtual CPU');
    // ttyS1 has a console of its own: what the guest writes there reaches it (and only one viewer at a time).
    const ttyS1 = new WsCollector(server.ws(`/api/vms/${id}/serial1`));
    await ttyS1.opened();
    await shell.sh('echo second-$((20+1)) > /dev/ttyS1');
    await ttyS1.waitFor((c) => c.text.includes('second-21'), 'the line written to ttyS1', 20_000);
    const busy = new WsCollector(server.ws(`/api/vms/${id}/serial1`));
    await busy.waitFor((c) => c.closed !== undefined, 'the second ttyS1 viewer refused', 10_000);
    expect(busy.closed?.code).toBe(4409);
    ttyS1.ws.close();
    shell.close();

    const vm = (await server.api('GET', `/api/vms/${id}`)).body as VmBody & Record<string, unknown>;
    const { id: _id, devices: _d, pendingChanges: _p, ...rest } = vm;
    const put = await server.api('PUT', `/api/vms/${id}`, {
      name: rest.name,
      os: rest.os,
      memoryMiB: rest.memoryMiB,
      vcpus: rest.vcpus,
      cdrom: rest.cdrom,
      boot: rest.boot,
      machine: rest.machine,
      nics: rest.nics,
      devices: { ...devices, rng: false },
    });
    expect(put.status, errorMessage(put.body)).toBe(200);
    expect((put.body as VmBody).pendingChanges).toEqual(['devices']);
    expect((put.body as VmBody).devices.rng).toBe(false);
  }, 240_000);

  it('pins vCPU threads to host CPUs before the guest runs; refuses CPUs the host lacks', async () => {
    const last = os.cpus().length - 1;
    const bad = await server.api('POST', '/api/vms', {
      name: 'pin-bad',
      memoryMiB: 128,
      vcpus: 1,
      devices: { cpuPinning: [[last + 1], [0]] },
    });
    expect(bad.status).toBe(400);
    expect(apiError(bad.body).details).toEqual([
      { path: 'devices.cpuPinning', message: 'pins 2 vCPUs, but the guest has 1' },
      {
        path: 'devices.cpuPinning.0',
        message: `host CPU ${last + 1} does not exist: this host has CPUs 0-${last}`,
      },
    ]);

    const pinning = [[last], [0]];
    const { id } = await createGuest<VmBody>(server, 'pinned', {
      vcpus: 2,
      devices: { cpuPinning: pinning },
    });
    const start = await server.api('POST', `/api/vms/${id}/start`);
    expect(start.status, errorMessage(start.body)).toBe(202);
    const { pid } = (await server.api('GET', `/api/vms/${id}`)).body as { pid: number };
    const allowed: Record<string, string> = {};
    for (const tid of await fs.readdir(`/proc/${pid}/task`)) {
      const status = await fs.readFile(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const name = /^Name:\s*(.+)$/m.exec(status)?.[1] ?? '';
      const cpus = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1] ?? '';
      if (/^CPU \d+\//.test(name)) allowed[name] = cpus;
    }
    expect(allowed).toEqual({ 'CPU 0/TCG': String(last), 'CPU 1/TCG': '0' });
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
  }, 120_000);

  it('backs the RAM with 2 MiB huge pages when enough are reserved, and says how many to reserve when not', async () => {
    const nr = '/proc/sys/vm/nr_hugepages';
    const before = Number(await fs.readFile(nr, 'utf8'));
    const pool = async () => {
      const text = await fs.readFile('/proc/meminfo', 'utf8');
      const n = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
      return { total: n('HugePages_Total'), free: n('HugePages_Free'), reserved: n('HugePages_Rsvd') };
    };
    const odd = await server.api('POST', '/api/vms', {
      name: 'huge-odd',
      memoryMiB: 65,
      vcpus: 1,
      devices: { hugepages: true },
    });
    expect(odd.status).toBe(400);
    expect(apiError(odd.body).details?.[0]?.path).toBe('devices.hugepages');
    // No OS: the firmware alone runs; the pages are taken when qemu maps the guest RAM.
    const { id } = await createGuest<VmBody>(server, 'huge', {
      cdrom: undefined,
      memoryMiB: 64,
      devices: { hugepages: true },
    });
    try {
      await fs.writeFile(nr, '0');
      const refused = await server.api('POST', `/api/vms/${id}/start`);
      expect(refused.status).toBe(409);
      expect(apiError(refused.body).message).toMatch(
        /huge pages: the guest needs 32 free 2 MiB huge pages and the host has 0 free \(of 0 reserved\): reserve more \(sysctl vm.nr_hugepages=32\)/,
      );
      // Nothing started, nothing lost: the guest is as it was.
      expect(((await server.api('GET', `/api/vms/${id}`)).body as { state: string }).state).toBe('defined');

      await fs.writeFile(nr, String(before + 40));
      const idle = await pool();
      const start = await server.api('POST', `/api/vms/${id}/start`);
      expect(start.status, errorMessage(start.body)).toBe(202);
      const running = await pool();
      // Faulted in, or reserved for the mapping: the guest's 32 pages are out of the free pool.
      expect(idle.free - running.free + (running.reserved - idle.reserved)).toBeGreaterThanOrEqual(32);
      const host = (await server.api('GET', '/api/host')).body as { hugepages?: { total: number } };
      expect(host.hugepages?.total).toBe(before + 40);
      expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    } finally {
      await waitStopped(id);
      await fs.writeFile(nr, String(before));
    }
  }, 120_000);

  const waitStopped = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const vm = (await server.api('GET', `/api/vms/${id}`)).body as { state: string };
      if (['defined', 'stopped', 'crashed'].includes(vm.state)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
});
