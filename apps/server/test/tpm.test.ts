// TPM 2.0 through swtpm with real qemu (TCG) and real swtpm: one guest, booted once, carried through its
// cases in order: started with its own swtpm, seen by qemu and the guest, checked for Windows 11, saved and
// restored, moved live to a second server with its TPM, that server restarted and its swtpm killed there
// (reported), then stopped, cloned, moved back offline and deleted.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { QmpClient } from '@virtweb/qmp';
import { beforeAll, describe, expect, it } from 'vitest';
import { WsCollector, type TestServer } from './harness.ts';
import { bootCounting, jobIn, openSerial, sh, twoServers, vmOf, type JobBody } from './migration-cluster.ts';
import { until } from './until.ts';

const cluster = twoServers({ bothWays: true });
const { a, b } = cluster;

const stateFile = (server: TestServer, id: string): string =>
  path.join(server.dataDir, 'tpm', id, 'tpm2-00.permall');
const exists = (p: string): Promise<boolean> =>
  fs.access(p).then(
    () => true,
    () => false,
  );
/** The pid of the guest's swtpm (its pidfile) when that process is alive. */
async function swtpmPid(server: TestServer, id: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(server.dataDir, 'run', id, 'swtpm.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid)) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('swtpm') ? pid : undefined;
  } catch {
    return undefined;
  }
}
const uidOf = (pid: number): number =>
  Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
/** PCR 0..7 (SHA-256) as the guest's kernel reads them from its TPM, one `pcrN=<hex>` line each. */
const PCRS = 'for i in 0 1 2 3 4 5 6 7; do echo pcr$i=$(cat /sys/class/tpm/tpm0/pcr-sha256/$i); done';
/** Those lines out of the console text (the guest's counter prints between them). */
const pcrLines = (text: string): string[] => [...text.matchAll(/pcr\d=[0-9A-F]*/g)].map((m) => m[0]);

interface Vm {
  id: string;
  state: string;
  pid?: number;
  faults?: string[];
  devices: { tpm: string };
}

let guest: { id: string; serial: WsCollector };
let pcrs = '';

describe('a guest with a TPM 2.0', () => {
  beforeAll(async () => {
    guest = await bootCounting(a, 'tpm-guest', { machine: 'q35', devices: { tpm: 'tpm2' } });
  }, 180_000);

  it('starts with its own swtpm, as qemu runs, on a state manufactured in the data dir; qemu and the guest see it', async () => {
    const { id } = guest;
    const vm = (await vmOf(a, id)) as unknown as Vm;
    expect(vm.devices.tpm).toBe('tpm2');
    const pid = await swtpmPid(a, id);
    expect(pid).toBeDefined();
    expect(uidOf(pid ?? 0)).toBe(uidOf(vm.pid ?? 0));
    expect((await fs.stat(stateFile(a, id))).size).toBeGreaterThan(1000);

    const qmp = await QmpClient.connect(path.join(a.dataDir, 'run', id, 'qmp-user.sock'));
    try {
      const tpms = await qmp.executeUnknown('query-tpm');
      expect(tpms).toEqual([
        {
          id: 'tpm0',
          model: 'tpm-crb',
          options: { type: 'emulator', data: { chardev: 'chrtpm' } },
        },
      ]);
    } finally {
      await qmp.close();
    }
    // The test guest's kernel has the TPM CRB driver built in.
    expect((await sh(guest.serial, 'cat /sys/class/tpm/tpm0/tpm_version_major', 'v')).trim()).toBe('2');
    pcrs = pcrLines(await sh(guest.serial, PCRS, 'p')).join(' ');
    expect(pcrs).toMatch(/^pcr0=[0-9A-F]{64} pcr1=[0-9A-F]{64} .* pcr7=[0-9A-F]{64}$/);
  });

  it('the Windows 11 readiness check says what it lacks (TPM and q35 it has)', async () => {
    const res = await a.api('GET', `/api/vms/${guest.id}/windows11`);
    expect(res.status).toBe(200);
    const body = res.body as { ready: boolean; checks: { id: string; pass: boolean }[] };
    expect(body.ready).toBe(false);
    expect(body.checks.filter((c) => !c.pass).map((c) => c.id)).toEqual([
      'uefi',
      'secureBoot',
      'memory',
      'disk',
      'vcpus',
    ]);
    expect((await a.api('GET', '/api/vms/0123456789ab/windows11')).status).toBe(404);

    // The Windows 11 preset gives everything (a sparse 64 GiB disk), and the readiness check agrees.
    const made = await a.api('POST', '/api/vms', {
      name: 'win11',
      os: 'windows11',
      // The wizard sends what the preset gives; the server's preset gives the rest.
      memoryMiB: 4096,
      vcpus: 2,
      disks: [{ image: 'win11.qcow2', create: { sizeBytes: 64 * 2 ** 30 } }],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const win = made.body as Vm & Record<string, unknown>;
    expect(win).toMatchObject({
      memoryMiB: 4096,
      vcpus: 2,
      machine: 'q35',
      firmware: 'uefi-secure',
      devices: { tpm: 'tpm2' },
      disks: [{ image: 'win11.qcow2', bus: 'sata' }],
      nics: [{ model: 'e1000' }],
    });
    const ready = (await a.api('GET', `/api/vms/${win.id}/windows11`)).body as { ready: boolean };
    expect(ready.ready).toBe(true);
    const { notes } = (await a.api('GET', `/api/vms/${win.id}/command-line`)).body as { notes: string[] };
    expect(notes.join('\n')).toMatch(/TPM 2\.0 is a swtpm .*manufactured by swtpm_setup at the first start/);
    expect((await a.api('DELETE', `/api/vms/${win.id}`, { deleteImages: ['win11.qcow2'] })).status).toBe(204);
  });

  it('saves and restores with its TPM: the restored guest reads the same PCRs', async () => {
    const { id } = guest;
    const save = await a.api('POST', `/api/vms/${id}/save`, { name: 'tpm-state' });
    expect(save.status, JSON.stringify(save.body)).toBe(202);
    await until('saved', async () => ((await vmOf(a, id))?.state === 'stopped' ? true : undefined), 120_000);
    guest.serial.ws.close();
    expect(await swtpmPid(a, id)).toBeUndefined();
    const restore = await a.api('POST', '/api/saved-states/tpm-state.vmstate.zst/restore');
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    await until(
      'restored',
      async () => ((await vmOf(a, id))?.state === 'running' ? true : undefined),
      120_000,
    );
    guest.serial = await openSerial(a, id);
    expect(pcrLines(await sh(guest.serial, PCRS, 'r')).join(' ')).toBe(pcrs);
    expect(await swtpmPid(a, id)).toBeDefined();
  }, 150_000);

  it('moves live with its TPM: the guest reads the same PCRs on the target, the source state goes', async () => {
    expect(((await b.api('GET', '/api/host')).body as { tpm?: unknown }).tpm).toEqual({ swtpm: true });
    const check = await a.api('POST', `/api/vms/${guest.id}/migrate/check`, { peer: cluster.aToB });
    const checks = (check.body as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
    const tpmCheck = checks.find((c) => c.name === 'tpm');
    expect(tpmCheck?.ok).toBe(true);
    expect(tpmCheck?.detail).toMatch(
      /^TPM 2\.0: .+ has swtpm; the TPM's state goes along in the migration stream$/,
    );
    const started = await a.api('POST', `/api/vms/${guest.id}/migrate`, {
      peer: cluster.aToB,
      copyStorage: false,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await jobIn(a, (started.body as JobBody).id, ['completed']);
    const there = done.targetVmId ?? '';
    guest.serial.ws.close();
    guest = { id: there, serial: await openSerial(b, there) };
    // A fresh TPM would not even be started up (no TPM2_Startup after the firmware's): reads fail there.
    expect(pcrLines(await sh(guest.serial, PCRS, 'm')).join(' ')).toBe(pcrs);
    expect(await swtpmPid(b, there)).toBeDefined();
    expect((await fs.stat(stateFile(b, there))).size).toBeGreaterThan(1000);
    expect(await exists(path.dirname(stateFile(a, guest.id)))).toBe(false);
  }, 120_000);

  it('reports its swtpm dying while the guest runs, also after a server restart: event, view, console; qemu keeps running', async () => {
    // The swtpm outlives the server like qemu, and the restarted server watches the one it finds.
    const before = await swtpmPid(b, guest.id);
    guest.serial.ws.close();
    await b.restart();
    expect(await swtpmPid(b, guest.id)).toBe(before);
    guest.serial = await openSerial(b, guest.id);
    const events = new WsCollector(b.ws('/api/events'));
    await events.opened();
    const pid = await swtpmPid(b, guest.id);
    // (Never process.kill(0): that would be this test's own process group.)
    if (pid === undefined) throw new Error('no swtpm runs for the guest');
    process.kill(pid, 'SIGKILL');
    await events.waitFor((c) => c.text.includes('"vm.fault"'), 'the vm.fault event', 15_000);
    events.ws.close();
    const vm = (await vmOf(b, guest.id)) as unknown as Vm;
    expect(vm.state).toBe('running');
    // (Found after the restart, not the server's child: it sees that the swtpm is gone, not how.)
    expect(vm.faults?.[0]).toMatch(/^the TPM emulator \(swtpm, pid \d+\) exited while the guest runs: /);
    await guest.serial.waitFor((c) => c.text.includes('TPM emulator'), 'the console note');
    expect(await sh(guest.serial, 'echo alive', 'a')).toContain('alive');
  }, 60_000);

  it('stops with nothing left running; a clone copies the state, offline migration carries it, delete removes it', async () => {
    const { id } = guest;
    expect((await b.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    await until('stopped', async () => ((await vmOf(b, id))?.state === 'stopped' ? true : undefined));
    guest.serial.ws.close();
    expect(await swtpmPid(b, id)).toBeUndefined();
    const clone = await b.api('POST', `/api/vms/${id}/clone`, { name: 'tpm-clone', disks: [] });
    expect(clone.status, JSON.stringify(clone.body)).toBe(201);
    const cloneId = (clone.body as Vm).id;
    const original = await fs.readFile(stateFile(b, id));
    expect((await fs.readFile(stateFile(b, cloneId))).equals(original)).toBe(true);
    expect((await b.api('DELETE', `/api/vms/${cloneId}`)).status).toBe(204);
    expect(await exists(path.dirname(stateFile(b, cloneId)))).toBe(false);

    const started = await b.api('POST', `/api/vms/${id}/migrate`, { peer: cluster.bToA, copyStorage: false });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const home = (await jobIn(b, (started.body as JobBody).id, ['completed'])).targetVmId ?? '';
    expect((await fs.readFile(stateFile(a, home))).equals(original)).toBe(true);
    expect(await exists(path.dirname(stateFile(b, id)))).toBe(false);
    expect((await a.api('DELETE', `/api/vms/${home}`)).status).toBe(204);
    expect(await exists(path.dirname(stateFile(a, home)))).toBe(false);
  }, 90_000);
});
