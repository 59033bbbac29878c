import { DEFAULT_DEVICES, type HostInfo, type Image, type Vm } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { majorMinor, migrationChecks } from './checks.ts';
import type { LocalFacts, PeerFacts } from './facts.ts';
import { oldCopiesToReplace, sharedStorage } from './disk-checks.ts';

const MiB = 2 ** 20;
const STORE_A = '11111111-1111-4111-8111-111111111111';
const STORE_B = '22222222-2222-4222-8222-222222222222';

const vm = (over: Partial<Vm> = {}): Vm => ({
  id: 'aaaaaaaaaaaa',
  name: 'web1',
  state: 'running',
  engine: { id: 'qemu-direct', connection: 'local' },
  os: 'linux',
  memoryMiB: 512,
  vcpus: 1,
  topology: { sockets: 1, cores: 1, threads: 1 },
  disks: [{ image: 'web1.qcow2', index: 0, format: 'qcow2', bus: 'virtio' }],
  cdrom: 'install.iso',
  boot: 'disk',
  nics: [],
  machine: 'pc',
  firmware: 'bios',
  noKernelIrqchip: false,
  balloon: false,
  clock: 'utc',
  devices: DEFAULT_DEVICES,
  guestAgent: false,
  usb: [],
  accel: 'auto',
  activeAccel: 'tcg',
  pid: 42,
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});

const image = (name: string, virtualSize: number, usedBy: string[] = []): Image => ({
  name,
  format: 'qcow2',
  virtualSize,
  actualSize: 0,
  backingChain: [],
  usedBy,
});

const host = (over: Partial<HostInfo> = {}): HostInfo => ({
  hostname: 'host-b',
  qemu: { version: '7.2.22', binary: 'qemu-system-x86_64' },
  accel: {
    default: 'auto',
    auto: 'tcg',
    kvm: {
      present: false,
      usable: false,
      reason: 'no /dev/kvm',
      cpuFlag: null,
      devKvm: { exists: false, accessible: false },
      probeMs: null,
    },
  },
  cpus: 4,
  memoryBytes: 4096 * MiB,
  network: { bridges: [], taps: [] },
  firmware: { uefi: true, secureBoot: true },
  ...over,
});

const local = (v: Vm = vm(), version = '7.2.22'): LocalFacts => ({
  vm: v,
  qemuVersion: version,
  storeId: STORE_A,
  images: new Map([
    ['web1.qcow2', { virtualSize: 10 * 1024 * MiB }],
    ['install.iso', { virtualSize: 300 * MiB }],
  ]),
});

const peer = (over: Partial<PeerFacts & { reachable: true }> = {}): PeerFacts => ({
  reachable: true,
  name: 'host-b',
  latencyMs: 3,
  protocol: 1,
  // One image store (shared storage) unless a test says otherwise.
  storeId: STORE_A,
  host: host(),
  vms: [],
  images: [image('web1.qcow2', 10 * 1024 * MiB), image('install.iso', 300 * MiB)],
  ...over,
});

const failed = (checks: ReturnType<typeof migrationChecks>) =>
  Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));

describe('migrationChecks', () => {
  it('passes a running guest whose disk and CD exist on the peer with the same size', () => {
    const checks = migrationChecks(local(), peer(), { copyStorage: false });
    expect(failed(checks)).toEqual({});
    expect(checks.map((c) => c.name)).toEqual([
      'peer',
      'protocol',
      'state',
      'qemu',
      'accelerator',
      'disks',
      'media',
      'memory',
      'name',
      'firmware',
      'config',
    ]);
    expect(checks.find((c) => c.name === 'qemu')?.detail).toBe('qemu 7.2.22 on both hosts');
  });

  it('on shared storage: says which image is missing, differs in size, or is taken on the peer', () => {
    const missing = migrationChecks(local(), peer({ images: [] }), { copyStorage: false });
    expect(failed(missing)).toEqual({
      disks: 'web1.qcow2 is missing on host-b, although it uses this image store',
      media: 'install.iso is missing on host-b: upload it there, eject it, or use copy storage',
    });
    const smaller = peer({
      images: [image('web1.qcow2', 1024 * MiB, ['x']), image('install.iso', 300 * MiB)],
    });
    expect(failed(migrationChecks(local(), smaller, { copyStorage: false })).disks).toBe(
      'web1.qcow2 is 1 GiB on host-b and 10 GiB here',
    );
    const used = peer({
      images: [image('web1.qcow2', 10 * 1024 * MiB, ['x']), image('install.iso', 300 * MiB)],
    });
    expect(failed(migrationChecks(local(), used, { copyStorage: false })).disks).toBe(
      'web1.qcow2 is used by another VM on host-b',
    );
  });

  it('with copy storage: refuses disk names the peer has, copies a missing CD', () => {
    const other = peer({ storeId: STORE_B });
    expect(failed(migrationChecks(local(), other, { copyStorage: true })).disks).toBe(
      'web1.qcow2 exists on host-b as another file (different image stores): delete it there, or convert ' +
        'this disk to a new name',
    );
    const checks = migrationChecks(local(), peer({ images: [], storeId: STORE_B }), { copyStorage: true });
    expect(failed(checks)).toEqual({});
    expect(checks.find((c) => c.name === 'media')?.detail).toBe('install.iso copied to host-b');
  });

  it('refuses a different qemu major.minor live, but not offline', () => {
    const newer = peer({ host: host({ qemu: { version: '8.0.2', binary: 'q' } }) });
    expect(failed(migrationChecks(local(), newer, { copyStorage: false })).qemu).toMatch(
      /7\.2\.22 here, 8\.0\.2 on host-b: a live migration needs the same major\.minor/,
    );
    const stopped = local(vm({ state: 'stopped', pid: undefined }));
    expect(failed(migrationChecks(stopped, newer, { copyStorage: false }))).toEqual({});
    expect(majorMinor('7.2.22')).toBe('7.2');
  });

  it('counts only running guests of the peer against its memory, and only for a live move', () => {
    const busy = peer({
      host: host({ memoryBytes: 1024 * MiB }),
      vms: [vm({ id: 'b1', name: 'other', memoryMiB: 768 }), vm({ id: 'b2', name: 'idle', pid: undefined })],
    });
    expect(failed(migrationChecks(local(), busy, { copyStorage: false })).memory).toBe(
      'host-b has 256 MiB not taken by running guests; this one needs 512 MiB',
    );
    const stopped = local(vm({ state: 'stopped', pid: undefined }));
    expect(failed(migrationChecks(stopped, busy, { copyStorage: false })).memory).toBeUndefined();
  });

  it('refuses a live move of a guest with host USB devices; a stopped one carries the list', () => {
    const usb = [{ slot: 0, vendorId: '0781', productId: '5581', label: 'SanDisk Ultra' }];
    expect(failed(migrationChecks(local(vm({ usb })), peer(), { copyStorage: false })).usb).toBe(
      'USB devices of this host are passed through (SanDisk Ultra): detach them first',
    );
    const stopped = migrationChecks(local(vm({ usb, state: 'stopped', pid: undefined })), peer(), {
      copyStorage: false,
    });
    expect(stopped.find((c) => c.name === 'usb')).toMatchObject({ ok: true });
    expect(migrationChecks(local(), peer(), { copyStorage: false }).map((c) => c.name)).not.toContain('usb');
  });

  it('refuses post-copy for a TCG guest only, and only for a live move', () => {
    const postcopy = { copyStorage: false, options: { postcopy: true } };
    expect(failed(migrationChecks(local(), peer(), postcopy)).accelerator).toMatch(
      /^post-copy is refused under TCG: .*migrate without post-copy/,
    );
    expect(failed(migrationChecks(local(), peer(), { ...postcopy, options: { postcopy: false } }))).toEqual(
      {},
    );
    const kvmHost = host({
      accel: { ...host().accel, kvm: { ...host().accel.kvm, present: true, usable: true, reason: 'usable' } },
    });
    const kvm = local(vm({ activeAccel: 'kvm' }));
    expect(failed(migrationChecks(kvm, peer({ host: kvmHost }), postcopy))).toEqual({});
    const stopped = local(vm({ state: 'stopped', pid: undefined, activeAccel: undefined }));
    expect(failed(migrationChecks(stopped, peer(), postcopy))).toEqual({});
  });

  it('refuses a taken name, a KVM guest to a host without KVM, a missing bridge, and a starting VM', () => {
    const taken = peer({ vms: [vm({ id: 'b1', pid: undefined })] });
    expect(failed(migrationChecks(local(), taken, { copyStorage: false })).name).toBe(
      'host-b already has a VM named web1',
    );
    const kvm = local(vm({ activeAccel: 'kvm' }));
    expect(failed(migrationChecks(kvm, peer(), { copyStorage: false })).accelerator).toMatch(/no usable KVM/);
    const bridged = local(
      vm({
        nics: [
          { slot: 0, mode: 'bridge', model: 'virtio', mac: '52:54:00:00:00:01', linkUp: true, bridge: 'br0' },
        ],
      }),
    );
    expect(failed(migrationChecks(bridged, peer(), { copyStorage: false })).config).toBe(
      'host-b has no bridge named br0',
    );
    const starting = local(vm({ state: 'starting' }));
    expect(failed(migrationChecks(starting, peer(), { copyStorage: false })).state).toMatch(/starting/);
  });

  it('lets a UEFI guest move to a host with OVMF, and explains a missing OVMF or Secure Boot build', () => {
    const uefi = local(vm({ firmware: 'uefi' }));
    const ok = migrationChecks(uefi, peer(), { copyStorage: false });
    expect(failed(ok)).toEqual({});
    expect(ok.find((c) => c.name === 'firmware')?.detail).toMatch(
      /host-b has OVMF; .*variable store is copied/,
    );
    const noOvmf = peer({ host: host({ firmware: { uefi: false, secureBoot: false } }) });
    expect(failed(migrationChecks(uefi, noOvmf, { copyStorage: false }))).toEqual({
      firmware: expect.stringMatching(
        /host-b has no UEFI firmware \(OVMF\): install Debian's ovmf/,
      ) as string,
    });
    const secure = local(vm({ firmware: 'uefi-secure', machine: 'q35' }));
    const noSecboot = peer({ host: host({ firmware: { uefi: true, secureBoot: false } }) });
    expect(failed(migrationChecks(secure, noSecboot, { copyStorage: false })).firmware).toMatch(
      /no Secure Boot build/,
    );
    expect(failed(migrationChecks(secure, peer(), { copyStorage: false }))).toEqual({});
    // A BIOS guest does not need OVMF there.
    expect(failed(migrationChecks(local(), noOvmf, { copyStorage: false }))).toEqual({});
  });

  it('lets a TPM guest move to a host with swtpm (its state along), and explains a host without', () => {
    const tpm = local(vm({ devices: { ...DEFAULT_DEVICES, tpm: 'tpm2' } }));
    const ok = migrationChecks(tpm, peer({ host: host({ tpm: { swtpm: true } }) }), { copyStorage: false });
    expect(failed(ok)).toEqual({});
    expect(ok.find((c) => c.name === 'tpm')?.detail).toBe(
      "TPM 2.0: host-b has swtpm; the TPM's state goes along in the migration stream",
    );
    const problem = 'swtpm and swtpm_setup not found: a TPM 2.0 needs them';
    const without = peer({ host: host({ tpm: { swtpm: false, problem } }) });
    expect(failed(migrationChecks(tpm, without, { copyStorage: false }))).toEqual({
      tpm: `host-b cannot run the guest's TPM 2.0: ${problem}`,
    });
    // An older peer does not say: refused rather than failing later.
    expect(failed(migrationChecks(tpm, peer(), { copyStorage: false })).tpm).toMatch(/does not say/);
    // A guest without a TPM does not need swtpm there.
    expect(migrationChecks(local(), without, { copyStorage: false }).some((c) => c.name === 'tpm')).toBe(
      false,
    );
  });

  it('refuses an overlay for an offline copy (one file is sent), and reports an unreachable peer', () => {
    const overlay: LocalFacts = {
      ...local(vm({ state: 'stopped', pid: undefined, cdrom: undefined })),
      images: new Map([['web1.qcow2', { virtualSize: MiB, backingFile: 'base.qcow2' }]]),
    };
    const empty = peer({ images: [], storeId: STORE_B });
    expect(failed(migrationChecks(overlay, empty, { copyStorage: true })).disks).toMatch(
      /overlay on base\.qcow2/,
    );
    const gone = migrationChecks(
      local(),
      { reachable: false, name: 'host-b', message: 'timed out' },
      {
        copyStorage: false,
      },
    );
    expect(gone).toEqual([
      { name: 'peer', ok: false, detail: 'host-b does not answer: timed out' },
      expect.objectContaining({ name: 'state', ok: true }),
    ]);
  });

  it('shows a peer of another migration protocol as answering, with its words, and checks nothing else', () => {
    const words = 'host-b (the target) speaks migration protocol 2, …: update virtweb on host-a (the source)';
    const other = { reachable: false, name: 'host-b', message: words, otherProtocol: true } as const;
    expect(migrationChecks(local(), other, { copyStorage: false })).toEqual([
      { name: 'peer', ok: true, detail: 'host-b answers' },
      { name: 'protocol', ok: false, detail: words },
      expect.objectContaining({ name: 'state', ok: true }),
    ]);
  });
});

describe('shared storage is the same image store, never the same name and size', () => {
  const mark = { vmName: 'web1', host: 'host-a', movedAt: '2026-03-04T05:06:07.000Z' };
  const oldCopy = (usedBy: string[] = []): Image => ({
    ...image('web1.qcow2', 10 * 1024 * MiB, usedBy),
    leftBehind: mark,
  });
  const disks = (checks: ReturnType<typeof migrationChecks>) => checks.find((c) => c.name === 'disks');

  it('decides by the store ids: equal is shared; different, or none from an older peer, is not', () => {
    expect(sharedStorage(STORE_A, { name: 'host-b', storeId: STORE_A }).shared).toBe(true);
    expect(sharedStorage(STORE_A, { name: 'host-b', storeId: STORE_B })).toEqual({
      shared: false,
      words: 'different image stores',
    });
    expect(sharedStorage(STORE_A, { name: 'host-b', storeId: undefined })).toEqual({
      shared: false,
      words: 'host-b does not say which image store it uses (an older virtweb), so it counts as another',
    });
  });

  it('one store: the same files; copy storage is refused (it would copy a file onto itself)', () => {
    const checks = migrationChecks(local(), peer(), { copyStorage: false });
    expect(disks(checks)).toEqual({
      name: 'disks',
      ok: true,
      detail: '1 disk on shared storage: host-b uses this image store, the same files',
    });
    expect(disks(migrationChecks(local(), peer(), { copyStorage: true }))?.detail).toMatch(
      /one image store .*migrate without copy storage/,
    );
  });

  it('two stores with an image of the same name and size: refused without copy storage', () => {
    const checks = migrationChecks(local(), peer({ storeId: STORE_B }), { copyStorage: false });
    expect(failed(checks)).toEqual({
      disks:
        'the disks (web1.qcow2) are not on shared storage (different image stores): turn on "copy storage" ' +
        'to copy them; web1.qcow2 on host-b is another file',
    });
    const older = migrationChecks(local(), peer({ storeId: undefined }), { copyStorage: false });
    expect(failed(older).disks).toMatch(
      /^the disks \(web1\.qcow2\) are not on shared storage \(host-b does not/,
    );
  });

  it('the stale disk: an old copy left behind on the peer is never taken for the disk', () => {
    const stale = peer({ storeId: STORE_B, images: [oldCopy(), image('install.iso', 300 * MiB)] });
    const refused = migrationChecks(local(vm({ state: 'stopped', pid: undefined })), stale, {
      copyStorage: false,
    });
    expect(failed(refused).disks).toBe(
      'the disks (web1.qcow2) are not on shared storage (different image stores): turn on "copy storage" to ' +
        'copy them; web1.qcow2 on host-b is an old copy left behind by moving web1 to host-a on 2026-03-04 05:06 UTC, ' +
        'not the current disk',
    );
    expect(failed(refused).disks).not.toMatch(/without copy storage/);

    // Copy storage replaces it (the user's choice, said in the check), unless a VM there uses it.
    const copied = migrationChecks(local(), stale, { copyStorage: true });
    expect(failed(copied)).toEqual({});
    expect(disks(copied)?.detail).toBe(
      'copy storage: 1 disk (10 GiB) copied to host-b; the originals stay here, marked as old copies; ' +
        'replaces on host-b: web1.qcow2 (an old copy left behind by moving web1 to host-a on 2026-03-04 ' +
        '05:06 UTC)',
    );
    const facts = (f: PeerFacts) => f as PeerFacts & { reachable: true };
    expect(oldCopiesToReplace(local(), facts(stale), true).map((i) => i.name)).toEqual(['web1.qcow2']);
    expect(oldCopiesToReplace(local(), facts(stale), false)).toEqual([]);
    expect(oldCopiesToReplace(local(), facts(peer({ images: [oldCopy()] })), true)).toEqual([]);
    const used = peer({ storeId: STORE_B, images: [oldCopy(['x']), image('install.iso', 300 * MiB)] });
    expect(failed(migrationChecks(local(), used, { copyStorage: true })).disks).toMatch(
      /web1\.qcow2 on host-b is an old copy .*, and a VM there uses it/,
    );
  });
});
