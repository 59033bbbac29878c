import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Vm, VmAction, VmState } from '@virtweb/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../store/db.ts';
import { SettingsRepo } from '../store/settings-repo.ts';
import { GuestAutostart, shutdownGroups, startOrder, type AutostartGuests } from './autostart.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const vm = (name: string, state: VmState, autostart?: { order: number; delaySec: number }): Vm =>
  ({
    id: name,
    name,
    state,
    ...(autostart ? { autostart: { enabled: true, ...autostart } } : {}),
  }) as Vm;

/** Guests whose actions succeed at once (or fail for `broken`), recording what happened in order. */
function guests(vms: Vm[], broken = new Set<string>()) {
  const byId = new Map(vms.map((v) => [v.id, { ...v }]));
  const calls: string[] = [];
  const host: AutostartGuests = {
    list: () => [...byId.values()],
    get: (id) => {
      const v = byId.get(id);
      if (!v) throw new Error('404');
      return v;
    },
    action: (id: string, action: VmAction) => {
      calls.push(`${action} ${id}`);
      const v = byId.get(id);
      if (!v || broken.has(id)) return Promise.reject(new Error(`cannot ${action}`));
      v.state = action === 'start' || action === 'resume' ? 'running' : 'stopped';
      return Promise.resolve(v);
    },
  };
  return { host, calls };
}

function setup(vms: Vm[], broken?: Set<string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-autostart-'));
  dirs.push(dir);
  const bootFile = path.join(dir, 'boot_id');
  fs.writeFileSync(bootFile, 'boot-1\n');
  const settings = new SettingsRepo(openDb(path.join(dir, 'virtweb.db')));
  const { host, calls } = guests(vms, broken);
  const lines: string[] = [];
  const auto = new GuestAutostart(
    host,
    settings,
    bootFile,
    (l) => lines.push(l),
    (ms) => {
      calls.push(`wait ${ms}`);
      return Promise.resolve();
    },
  );
  return { auto, calls, lines, bootFile };
}

describe('guest autostart', () => {
  it('orders by order, then name; shuts down in reverse, guests without autostart first', () => {
    const vms = [
      vm('c', 'running', { order: 2, delaySec: 0 }),
      vm('b', 'running', { order: 1, delaySec: 0 }),
      vm('a', 'running', { order: 2, delaySec: 0 }),
      vm('free', 'paused'),
      vm('off', 'stopped', { order: 0, delaySec: 0 }),
    ];
    expect(startOrder(vms).map((v) => v.name)).toEqual(['off', 'b', 'a', 'c']);
    expect(shutdownGroups(vms).map((g) => g.map((v) => v.name))).toEqual([['free'], ['c', 'a'], ['b']]);
  });

  it('starts them in order with the delays after a host boot, only then, and skips what cannot start', async () => {
    const vms = [
      vm('second', 'stopped', { order: 5, delaySec: 0 }),
      vm('first', 'crashed', { order: 1, delaySec: 10 }),
      vm('broken', 'stopped', { order: 3, delaySec: 7 }),
      vm('running', 'running', { order: 2, delaySec: 4 }),
      vm('manual', 'stopped'),
    ];
    const { auto, calls, lines, bootFile } = setup(vms, new Set(['broken']));
    await auto.atServerStart();
    expect(calls).toEqual(['start first', 'wait 10000', 'start broken', 'start second']);
    expect(lines.join('\n')).toMatch(/broken did not start: cannot start/);

    // A server restart in the same boot starts nothing, even what is stopped now.
    calls.length = 0;
    await auto.atServerStart();
    expect(calls).toEqual([]);
    // The next boot does.
    fs.writeFileSync(bootFile, 'boot-2\n');
    await auto.atServerStart();
    expect(calls).toEqual(['start broken']);
  });

  it('shuts live guests down group by group and waits for each group', async () => {
    const vms = [
      vm('db', 'running', { order: 1, delaySec: 0 }),
      vm('web', 'paused', { order: 2, delaySec: 0 }),
    ];
    const { auto, calls } = setup(vms);
    await auto.atServerStop(1000);
    // A paused guest does not see an ACPI shutdown: it is resumed first.
    expect(calls).toEqual(['resume web', 'shutdown web', 'shutdown db']);
  });
});
