import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { VmDefinitionSchema } from '../vms/definition.ts';
import { migrate, openDb } from './db.ts';
import { ideOnQ35ToSata } from './disk-bus-migration.ts';
import { MIGRATIONS } from './migrations.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const disks = [
  { image: 'root.qcow2', index: 0, format: 'qcow2', bus: 'ide' },
  { image: 'data.qcow2', index: 1, format: 'qcow2', bus: 'virtio' },
];
const nics = [{ slot: 0, mode: 'user', model: 'e1000', mac: '52:54:00:00:00:01', portForwards: [] }];

/** A database at the schema just before the disk bus migration, with a q35, a pc and a machine-less guest. */
function oldDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-bus-mig-'));
  dirs.push(dir);
  const file = path.join(dir, 'virtweb.db');
  const db = new Database(file);
  migrate(db, MIGRATIONS.indexOf(ideOnQ35ToSata));
  const insert = db.prepare(
    "INSERT INTO vms (id, name, definition, state, created_at) VALUES (?, ?, ?, 'stopped', '2026-01-01T00:00:00Z')",
  );
  const base = { memoryMiB: 64, vcpus: 1, disks, nics, boot: 'disk', accel: 'tcg' };
  insert.run('q35', 'q35', JSON.stringify({ ...base, name: 'q35', machine: 'q35' }));
  insert.run('pc', 'pc', JSON.stringify({ ...base, name: 'pc', machine: 'pc' }));
  insert.run('old', 'old', JSON.stringify({ ...base, name: 'old' }));
  const facts = JSON.stringify({ withRam: false, disks: [{ ...disks[0], virtualSize: 1024 }] });
  db.prepare('INSERT INTO vm_snapshots (vm_id, name, facts) VALUES (?, ?, ?)').run('q35', 's1', facts);
  db.prepare('INSERT INTO vm_snapshots (vm_id, name, facts) VALUES (?, ?, ?)').run('pc', 's1', facts);
  db.close();
  return file;
}

describe('the migration of ide disks on q35 to sata', () => {
  it('rewrites q35 (and machine-less) guests and their snapshot facts, leaves pc IDE alone', () => {
    const db = openDb(oldDb());
    const bus = (id: string) =>
      (
        JSON.parse(
          (db.prepare('SELECT definition FROM vms WHERE id = ?').get(id) as { definition: string })
            .definition,
        ) as { disks: { bus: string }[] }
      ).disks.map((d) => d.bus);
    expect(bus('q35')).toEqual(['sata', 'virtio']);
    expect(bus('old')).toEqual(['sata', 'virtio']);
    expect(bus('pc')).toEqual(['ide', 'virtio']);
    const factsBus = (id: string) =>
      (
        JSON.parse(
          (db.prepare('SELECT facts FROM vm_snapshots WHERE vm_id = ?').get(id) as { facts: string }).facts,
        ) as { disks: { bus: string }[] }
      ).disks[0]?.bus;
    expect(factsBus('q35')).toBe('sata');
    expect(factsBus('pc')).toBe('ide');
    db.close();
  });

  it('reads an ide disk of a q35 definition the store never saw (a peer, a running qemu) as sata', () => {
    const def = VmDefinitionSchema.parse({
      name: 'x',
      memoryMiB: 64,
      vcpus: 1,
      disks,
      nics,
      boot: 'disk',
      accel: 'tcg',
    });
    expect(def.disks.map((d) => d.bus)).toEqual(['sata', 'virtio']);
  });
});
