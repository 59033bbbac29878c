import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LEGACY_MAC } from '../vms/nic-defaults.ts';
import { migrate, openDb } from './db.ts';
import { MIGRATIONS } from './migrations.ts';
import { nicsWithUniqueMacs } from './nics-migration.ts';
import { VmsRepo } from './vms-repo.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A database at the schema just before the NICs migration, with `rows` written as an older server did. */
function oldDb(rows: [id: string, definition: Record<string, unknown>][]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-nics-mig-'));
  dirs.push(dir);
  const file = path.join(dir, 'virtweb.db');
  const db = new Database(file);
  migrate(db, MIGRATIONS.indexOf(nicsWithUniqueMacs));
  const insert = db.prepare(
    "INSERT INTO vms (id, name, definition, state, created_at) VALUES (?, ?, ?, 'stopped', '2026-01-01T00:00:00Z')",
  );
  for (const [id, def] of rows)
    insert.run(
      id,
      id,
      JSON.stringify({ name: id, memoryMiB: 64, vcpus: 1, disks: [], boot: 'cdrom', accel: 'tcg', ...def }),
    );
  db.close();
  return file;
}

describe('the migration from one network to NICs', () => {
  it('gives each old guest its NIC in slot 0 with a MAC of its own, once', () => {
    const forward = { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 };
    const rows: [string, Record<string, unknown>][] = [
      ['000000000001', { network: { mode: 'user', model: 'e1000', portForwards: [forward] } }],
      ['000000000002', { network: { mode: 'bridge', model: 'virtio', bridge: 'br0' } }],
      ['000000000003', { network: { mode: 'none' } }],
      ['000000000004', { network: 'user' }],
      ['000000000005', { network: 'none' }],
      ['000000000006', {}],
      [
        '000000000007',
        {
          nics: [
            {
              slot: 0,
              mode: 'user',
              model: 'virtio',
              mac: '52:54:00:aa:bb:cc',
              linkUp: true,
              portForwards: [],
            },
          ],
        },
      ],
      ...Array.from({ length: 30 }, (_, i): [string, Record<string, unknown>] => [
        `1000000000${String(i).padStart(2, '0')}`,
        { network: { mode: 'user', model: 'virtio', portForwards: [] } },
      ]),
    ];
    const file = oldDb(rows);
    const db = openDb(file);
    const defs = new Map(new VmsRepo(db).list().map((r) => [r.id, r.definition]));
    const nic = (id: string) => defs.get(id)?.nics;
    expect(nic('000000000001')).toEqual([
      {
        slot: 0,
        mode: 'user',
        model: 'e1000',
        portForwards: [forward],
        linkUp: true,
        mac: expect.any(String) as string,
      },
    ]);
    expect(nic('000000000002')).toMatchObject([{ slot: 0, mode: 'bridge', model: 'virtio', bridge: 'br0' }]);
    expect(nic('000000000003')).toEqual([]);
    expect(nic('000000000004')).toMatchObject([{ slot: 0, mode: 'user', model: 'virtio', portForwards: [] }]);
    expect(nic('000000000005')).toEqual([]);
    expect(nic('000000000006')).toMatchObject([{ slot: 0, mode: 'user', model: 'virtio' }]);
    expect(nic('000000000007')).toMatchObject([{ mac: '52:54:00:aa:bb:cc' }]);
    const macs = [...defs.values()].flatMap((d) => d.nics.map((n) => n.mac));
    expect(macs).toHaveLength(35);
    expect(new Set(macs).size).toBe(35);
    expect(macs).not.toContain(LEGACY_MAC);
    for (const mac of macs) expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    // Written, not read anew each time: the MACs are the same after a reopen.
    const raw = db.prepare('SELECT definition FROM vms WHERE id = ?').get('000000000001') as {
      definition: string;
    };
    expect(JSON.parse(raw.definition)).not.toHaveProperty('network');
    db.close();
    const again = openDb(file);
    expect(new VmsRepo(again).list().flatMap((r) => r.definition.nics.map((n) => n.mac))).toEqual(macs);
    again.close();
  });
});
