// The guest agent end to end: real qemu (TCG) and the real qemu-ga of the test guest (scripts/build-test-guest).
import type { GuestAgentInfo } from '@virtweb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuest, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { GuestShell, waitVm } from './storage-guest.ts';
import { until } from './until.ts';

/** Polls `probe` until `ok` holds for its answer. */
const poll = <T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs: number) =>
  until(
    what,
    async () => {
      const v = await probe();
      return ok(v) ? v : undefined;
    },
    timeoutMs,
    500,
  );

interface VmAnswer {
  id: string;
  state: string;
  guestAgent: boolean;
  addresses?: string[];
  shutdownVia?: string;
  lastExit?: { kind: string; reason: string };
}

describe('guest agent (qemu-ga in the test guest)', () => {
  const server = useServer({ withGuestIso: true });
  let events: WsCollector;
  let shell: GuestShell | undefined;
  let id = '';

  const agentOf = async (vmId: string) =>
    (await server.api('GET', `/api/vms/${vmId}/agent`)).body as GuestAgentInfo;

  beforeAll(async () => {
    events = new WsCollector(server.ws('/api/events'));
    await events.opened();
    const disk = await server.api('POST', '/api/images', {
      name: 'agent.qcow2',
      format: 'qcow2',
      size: '16M',
    });
    expect(disk.status).toBe(201);
    // The Linux preset (the default OS) gives new guests the agent channel.
    const vm = await createGuest<VmAnswer>(server, 'agent1', {
      disks: [{ image: 'agent.qcow2' }],
      boot: 'cdrom',
      nics: [{ mode: 'user', model: 'virtio' }],
    });
    expect(vm.guestAgent).toBe(true);
    id = vm.id;
  });
  afterAll(() => {
    shell?.close();
    events.ws.close();
  });

  it('connects and tells the OS, hostname, interfaces and file systems; the address shows in the guests list', async () => {
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
    const info = await poll(
      () => agentOf(id),
      (a) =>
        a.connected && (a.interfaces ?? []).some((i) => i.addresses.some((x) => x.address === '10.0.2.15')),
      'the agent to report eth0 with its DHCP address',
      90_000,
    );
    expect(info.channel).toBe(true);
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.os).toMatchObject({
      name: 'virtweb test guest (tinylinux) 1',
      id: 'tinylinux',
      version: '1 (virtweb test guest)',
    });
    expect(info.os?.kernelRelease).toMatch(/^6\.12\..*-amd64$/);
    expect(info.hostname).toBe('tinylinux');
    const eth0 = info.interfaces?.find((i) => i.name === 'eth0');
    expect(eth0?.mac).toMatch(/^52:54:00:/);
    expect(Array.isArray(info.filesystems)).toBe(true);

    const list = (await server.api('GET', '/api/vms')).body as VmAnswer[];
    const addresses = list.find((v) => v.id === id)?.addresses ?? [];
    expect(addresses[0]).toBe('10.0.2.15');
    expect(addresses.some((a) => a.startsWith('127.') || a === '::1' || a.startsWith('fe80:'))).toBe(false);
    expect(events.messages.some((m) => m.includes('"vm.agent"') && m.includes('10.0.2.15'))).toBe(true);
  }, 150_000);

  it('freezes the file systems around a live snapshot and thaws them, saying so', async () => {
    // An ext2 file system on the guest's disk, mounted: something the agent can freeze (FIFREEZE); the
    // initramfs root and a read-only CD cannot be frozen.
    await guest().sh('mke2fs -q /dev/vda && mkdir -p /mnt/data && mount /dev/vda /mnt/data');
    const fs = await poll(
      () => agentOf(id),
      (a) => (a.filesystems ?? []).some((f) => f.mountpoint === '/mnt/data'),
      'the agent to list the mounted disk',
      90_000,
    );
    const data = fs.filesystems?.find((f) => f.mountpoint === '/mnt/data');
    expect(data?.type).toMatch(/^ext[24]$/);
    expect(data?.totalBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(data?.usedBytes).toBeGreaterThan(0);

    const seen = events.messages.length;
    const res = await server.api('POST', `/api/vms/${id}/snapshots`, { name: 'quiet' });
    expect(res.status).toBe(201);
    // "status frozen" is the guest's own answer to guest-fsfreeze-status, asked while the snapshot waited.
    expect((res.body as { note?: string }).note).toBe(
      'file systems frozen by the guest agent (1 file system, status frozen), then thawed (1 file system)',
    );
    const ended = events.messages
      .slice(seen)
      .find((m) => m.includes('"vm.storage-job"') && m.includes('"succeeded"'));
    expect(ended).toContain('file systems frozen by the guest agent');
    // Thawed: the guest writes to the file system again (a frozen one would block the write).
    expect(await guest().sh('echo thawed > /mnt/data/after && sync && cat /mnt/data/after')).toBe('thawed');
  }, 180_000);

  it('freezes the file systems for a state save; the restored guest is thawed by its agent and writes again', async () => {
    const seen = events.messages.length;
    const save = await server.api('POST', `/api/vms/${id}/save`, { name: 'frozen' });
    expect(save.status).toBe(202);
    const file = (save.body as { target: string }).target;
    // NOTE: the VM may show stopped ("quit by virtweb") a moment before "saved to …", once the state is written.
    await waitVm(
      server,
      id,
      (v) => (v as Partial<VmAnswer>).lastExit?.reason === `saved to ${file}`,
      'the save',
      120_000,
    );
    shell?.close();
    shell = undefined;
    const jobs = events.messages.slice(seen).filter((m) => m.includes('"migration.updated"'));
    expect(
      jobs.some((m) => m.includes('file systems frozen by the guest agent (1 file system, status frozen)')),
    ).toBe(true);
    const restore = await server.api('POST', `/api/saved-states/${encodeURIComponent(file)}/restore`);
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    await waitVm(server, id, (v) => v.state === 'running', 'the restore', 120_000);
    // The guest came back frozen (as saved): a write blocks until its agent, answering again, is told to thaw.
    const serial = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    try {
      await serial.opened();
      serial.ws.send('echo w$((40+2)) > /mnt/data/restored && sync && cat /mnt/data/restored\n');
      await serial.waitFor((c) => c.text.includes('w42'), 'the write after the restore', 90_000);
    } finally {
      serial.ws.close();
    }
  }, 300_000);

  it('shuts down through the agent and says so', async () => {
    const res = await server.api('POST', `/api/vms/${id}/shutdown`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: 'stopping', shutdownVia: 'guest-agent' });
    const vm = await waitVm(server, id, (v) => v.state === 'stopped', 'the guest to power off', 60_000);
    expect((vm as Partial<VmAnswer>).lastExit?.kind).toBe('clean');
    // The guest's shutdown(8), which only qemu-ga's guest-shutdown runs, said what it did.
    const log = await server.api('GET', `/api/vms/${id}/serial.log`);
    expect(String(log.body)).toContain('virtweb test guest: shutdown -> poweroff');
    shell?.close();
    shell = undefined;
  });

  it('without a channel: "no agent channel" and an ACPI shutdown', async () => {
    const plain = await createGuest<VmAnswer>(server, 'plain', { guestAgent: false });
    expect(plain.guestAgent).toBe(false);
    expect((await server.api('POST', `/api/vms/${plain.id}/start`)).status).toBe(202);
    const con = await GuestShell.open(server, plain.id);
    try {
      const info = await agentOf(plain.id);
      expect(info).toMatchObject({ channel: false, connected: false });
      expect(info.reason).toMatch(/^no agent channel/);
      const res = await server.api('POST', `/api/vms/${plain.id}/shutdown`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ state: 'stopping', shutdownVia: 'acpi' });
      await waitVm(server, plain.id, (v) => v.state === 'stopped', 'the guest to power off', 60_000);
    } finally {
      con.close();
    }
  }, 150_000);

  function guest(): GuestShell {
    if (!shell) throw new Error('no guest shell');
    return shell;
  }
});
