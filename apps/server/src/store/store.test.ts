import { DEFAULT_DEVICES } from '@virtweb/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from './db.ts';
import { MIGRATIONS } from './migrations.ts';
import { SettingsRepo } from './settings-repo.ts';
import { NO_META, VmsRepo, type VmRecord } from './vms-repo.ts';

const dirs: string[] = [];
function tempDbPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-store-'));
  dirs.push(dir);
  return path.join(dir, 'sub', 'virtweb.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const record: VmRecord = {
  id: '0123456789ab',
  engine: { id: 'qemu-direct', connection: 'local' },
  definition: {
    name: 'alpha',
    os: 'windows',
    memoryMiB: 256,
    vcpus: 2,
    topology: { sockets: 1, cores: 1, threads: 2 },
    disks: [{ image: 'a.qcow2', index: 0, format: 'qcow2', bus: 'sata' }],
    boot: 'disk',
    kernel: { kernel: 'vmlinuz', initrd: 'initrd.img', cmdline: 'console=ttyS0 quiet' },
    accel: 'auto',
    nics: [
      {
        slot: 0,
        mode: 'user',
        model: 'e1000',
        mac: '52:54:00:ab:cd:ef',
        linkUp: true,
        portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }],
      },
      { slot: 3, mode: 'bridge', model: 'rtl8139', mac: '52:54:00:ab:cd:f0', linkUp: false, bridge: 'br0' },
    ],
    machine: 'q35',
    firmware: 'uefi',
    noKernelIrqchip: true,
    balloon: false,
    clock: 'localtime',
    devices: DEFAULT_DEVICES,
    guestAgent: false,
    usb: [],
  },
  state: 'defined',
  lastExit: undefined,
  createdAt: '2026-01-01T00:00:00.000Z',
  meta: NO_META,
  startedAt: undefined,
};

describe('store', () => {
  it('creates the file, applies every migration once and records the version', () => {
    const file = tempDbPath();
    const db = openDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const again = openDb(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    again.close();
  });

  it('keeps the file, its WAL and SHM 0600 (created so, narrowed when wider) and its dir 0700', () => {
    const file = tempDbPath();
    const mode = (f: string) => (fs.statSync(f).mode & 0o777).toString(8);
    const db = openDb(file);
    db.prepare('CREATE TABLE t (x)').run();
    expect([file, `${file}-wal`, `${file}-shm`].map(mode)).toEqual(['600', '600', '600']);
    expect(mode(path.dirname(file))).toBe('700');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.chmodSync(f, 0o644);
    const again = openDb(file);
    expect([file, `${file}-wal`, `${file}-shm`].map(mode)).toEqual(['600', '600', '600']);
    again.close();
    db.close();
  });

  it('refuses a database from a newer virtweb', () => {
    const file = tempDbPath();
    const db = openDb(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDb(file)).toThrow(/newer/);
  });

  it('keeps VM definitions and state across reopening', () => {
    const file = tempDbPath();
    const db = openDb(file);
    const repo = new VmsRepo(db);
    repo.insert(record);
    repo.saveState({
      ...record,
      state: 'crashed',
      lastExit: { kind: 'crashed', reason: 'killed by SIGKILL', at: 'x' },
    });
    expect(repo.nameTaken('alpha')).toBe(true);
    expect(repo.nameTaken('alpha', record.id)).toBe(false);
    expect(() => repo.insert({ ...record, id: 'ffffffffffff' })).toThrow(/UNIQUE/);
    db.close();
    const reopened = new VmsRepo(openDb(file));
    expect(reopened.get(record.id)).toEqual({
      ...record,
      state: 'crashed',
      lastExit: { kind: 'crashed', reason: 'killed by SIGKILL', at: 'x' },
    });
    reopened.delete(record.id);
    expect(reopened.list()).toEqual([]);
  });

  it('reads definitions written before issue 5 (network strings, no os, bus, topology or firmware)', () => {
    const db = openDb(tempDbPath());
    const old = (id: string, name: string, definition: unknown) =>
      db
        .prepare(
          'INSERT INTO vms (id, name, definition, state, last_exit, created_at, started_at) VALUES (?, ?, ?, ?, NULL, ?, NULL)',
        )
        .run(id, name, JSON.stringify(definition), 'stopped', '2025-01-01T00:00:00.000Z');
    old('000000000001', 'old-user', {
      name: 'old-user',
      memoryMiB: 256,
      vcpus: 2,
      disks: [{ image: 'a.qcow2' }, { image: 'b.raw', index: 5, format: 'raw' }],
      cdrom: 'x.iso',
      boot: 'cdrom',
      accel: 'tcg',
      network: 'user',
    });
    old('000000000002', 'old-none', {
      name: 'old-none',
      memoryMiB: 128,
      vcpus: 1,
      disks: [],
      boot: 'cdrom',
      accel: 'auto',
      network: 'none',
      machine: 'pc',
    });
    const repo = new VmsRepo(db);
    expect(repo.get('000000000001')?.definition).toEqual({
      name: 'old-user',
      os: 'linux',
      memoryMiB: 256,
      vcpus: 2,
      topology: { sockets: 1, cores: 2, threads: 1 },
      disks: [
        { image: 'a.qcow2', index: 0, bus: 'virtio' },
        { image: 'b.raw', index: 5, format: 'raw', bus: 'virtio' },
      ],
      cdrom: 'x.iso',
      boot: 'cdrom',
      accel: 'tcg',
      // Read, not rewritten: the MAC qemu gave every NIC then (the store's migration rewrites rows once).
      nics: [
        { mode: 'user', model: 'virtio', portForwards: [], mac: '52:54:00:12:34:56', slot: 0, linkUp: true },
      ],
      machine: 'q35',
      firmware: 'bios',
      noKernelIrqchip: false,
      balloon: false,
      clock: 'utc',
      // Rows from before the devices settings: what qemu was given then (standard VGA, nothing else).
      devices: {
        video: { model: 'vga', vramMiB: 16 },
        sound: 'none',
        rng: false,
        watchdog: { model: 'none' },
        cpuModel: 'auto',
        cpuPinning: [],
        serialPorts: 1,
        hugepages: false,
        tpm: 'none',
      },
      guestAgent: false,
      usb: [],
    });
    expect(repo.get('000000000002')?.definition).toMatchObject({
      nics: [],
      machine: 'pc',
      topology: { sockets: 1, cores: 1, threads: 1 },
    });
    db.close();
  });

  it('keeps what was recorded of a snapshot until the snapshot or its VM goes', () => {
    const repo = new VmsRepo(openDb(tempDbPath()));
    repo.insert(record);
    const facts = {
      withRam: true,
      disks: [{ index: 0, image: 'a.qcow2', format: 'qcow2', bus: 'ide', virtualSize: 1024 }],
      hardware: { memoryMiB: 256 },
    };
    repo.saveSnapshotFacts(record.id, 's1', facts);
    repo.saveSnapshotFacts(record.id, 's2', { ...facts, withRam: false });
    expect(repo.snapshotFacts(record.id, 's1')).toEqual(facts);
    expect(repo.snapshotFacts(record.id, 'nope')).toBeUndefined();
    repo.deleteSnapshotFacts(record.id, 's1');
    expect(repo.snapshotFacts(record.id, 's1')).toBeUndefined();
    repo.delete(record.id);
    repo.insert(record);
    expect(repo.snapshotFacts(record.id, 's2')).toBeUndefined();
  });

  it("records snapshots as a tree: a deleted snapshot's children get its parent, and so does current", () => {
    const repo = new VmsRepo(openDb(tempDbPath()));
    repo.insert(record);
    const facts = { withRam: false, disks: [] };
    repo.saveSnapshotFacts(record.id, 's1', facts, { description: 'clean install' });
    repo.saveSnapshotFacts(record.id, 's2', facts, { parent: 's1' });
    repo.saveSnapshotFacts(record.id, 's3', facts, { parent: 's2' });
    repo.saveSnapshotFacts(record.id, 's4', facts, { parent: 's2' });
    repo.describeSnapshot(record.id, 'hmp', 'taken with savevm');
    const parents = () =>
      Object.fromEntries(
        [...repo.snapshotTree(record.id).notes].map(([n, note]) => [n, note.parent ?? null]),
      );
    expect(repo.snapshotTree(record.id).current).toBe('s4');
    repo.setCurrentSnapshot(record.id, 's2');
    repo.deleteSnapshotFacts(record.id, 's2');
    expect(parents()).toEqual({ s1: null, s3: 's1', s4: 's1', hmp: null });
    expect(repo.snapshotTree(record.id).current).toBe('s1');
    repo.deleteSnapshotFacts(record.id, 's1');
    expect(parents()).toEqual({ s3: null, s4: null, hmp: null });
    expect(repo.snapshotTree(record.id).current).toBeUndefined();
    expect(repo.snapshotTree(record.id).notes.get('hmp')?.description).toBe('taken with savevm');
    expect(repo.snapshotFacts(record.id, 'hmp')).toBeUndefined();
  });

  it('stores settings as key/value with overwrite', () => {
    const settings = new SettingsRepo(openDb(tempDbPath()));
    expect(settings.get('k')).toBeUndefined();
    settings.set('k', 'v1');
    settings.set('k', 'v2');
    expect(settings.get('k')).toBe('v2');
  });
});
