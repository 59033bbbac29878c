import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from './db.ts';
import { MIGRATIONS } from './migrations.ts';
import { SettingsRepo } from './settings-repo.ts';
import { VmsRepo, type VmRecord } from './vms-repo.ts';

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
  definition: {
    name: 'alpha',
    memoryMiB: 256,
    vcpus: 1,
    disks: [{ image: 'a.qcow2', index: 0 }],
    boot: 'disk',
    accel: 'auto',
    network: 'user',
    machine: 'q35',
  },
  state: 'defined',
  lastExit: undefined,
  createdAt: '2026-01-01T00:00:00.000Z',
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

  it('stores settings as key/value with overwrite', () => {
    const settings = new SettingsRepo(openDb(tempDbPath()));
    expect(settings.get('k')).toBeUndefined();
    settings.set('k', 'v1');
    settings.set('k', 'v2');
    expect(settings.get('k')).toBe('v2');
  });
});
