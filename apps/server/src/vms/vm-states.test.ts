import { DEFAULT_DEVICES } from '@virtweb/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QemuExit } from '@virtweb/qemu';
import { afterEach, describe, expect, it } from 'vitest';
import { Conflict, DomainError } from '../domain/errors.ts';
import { openDb } from '../store/db.ts';
import { NO_META, VmsRepo, type VmRecord } from '../store/vms-repo.ts';
import { qemuDeath } from './qemu-death.ts';
import { adoptedState } from './vm-lifecycle.ts';
import type { VmRuntime } from './vm-runtime.ts';
import { VmStates } from './vm-states.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const ID = '0123456789ab';

function machine(state: VmRecord['state'] = 'stopped', runtime?: VmRuntime) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-states-'));
  dirs.push(dir);
  const repo = new VmsRepo(openDb(path.join(dir, 'virtweb.db')));
  repo.insert({
    id: ID,
    engine: { id: 'qemu-direct', connection: 'local' },
    definition: {
      name: 'alpha',
      os: 'linux',
      memoryMiB: 64,
      vcpus: 1,
      topology: { sockets: 1, cores: 1, threads: 1 },
      disks: [],
      boot: 'cdrom',
      accel: 'tcg',
      nics: [],
      machine: 'q35',
      firmware: 'bios',
      noKernelIrqchip: false,
      balloon: false,
      clock: 'utc',
      devices: DEFAULT_DEVICES,
      guestAgent: false,
      usb: [],
    },
    state,
    lastExit: undefined,
    createdAt: '2026-01-01T00:00:00.000Z',
    meta: NO_META,
    startedAt: undefined,
  });
  const published: string[] = [];
  const states = new VmStates(
    repo,
    (rec) => published.push(rec.state),
    () => runtime,
  );
  return { repo, states, published, state: () => repo.get(ID)?.state };
}

const answer = async (p: Promise<unknown>) =>
  p.then(
    () => 'done',
    (err: unknown) => (err instanceof DomainError ? `${err.kind} ${err.code}` : String(err)),
  );

describe('VmStates: transitions', () => {
  it('stores and publishes a transition of the table, with what goes with it', () => {
    const m = machine('stopped');
    m.states.transition(ID, 'start');
    m.states.transition(ID, 'launched', { startedAt: 'now', lastExit: undefined });
    expect(m.repo.get(ID)).toMatchObject({ state: 'running', startedAt: 'now' });
    expect(m.published).toEqual(['starting', 'running']);
    const exit = { kind: 'crashed' as const, reason: 'killed by SIGKILL', at: 'x' };
    m.states.transition(ID, 'exited', { to: 'crashed', lastExit: exit });
    expect(m.repo.get(ID)).toMatchObject({ state: 'crashed', lastExit: exit });
  });

  it('refuses a transition the table does not have (409 wrong_state), changing nothing', () => {
    const m = machine('running');
    expect(() => m.states.transition(ID, 'start')).toThrow(/running: no start/);
    expect(() => m.states.transition(ID, 'exited', { to: 'paused' })).toThrow(Conflict);
    expect(m.state()).toBe('running');
    expect(m.published).toEqual([]);
  });

  it('follows qemu events only where the table has them', () => {
    const m = machine('starting');
    expect(m.states.follow(ID, 'resume')).toBeUndefined(); // the RESUME of a start's `cont`
    expect(m.state()).toBe('starting');
    m.states.transition(ID, 'launched');
    expect(m.states.follow(ID, 'pause')?.state).toBe('paused');
    expect(m.states.follow(ID, 'pause')).toBeUndefined();
  });
});

describe('VmStates: the per-guest lock', () => {
  it('checks the operation table before running anything', async () => {
    const m = machine('stopped');
    let ran = false;
    const run = m.states.run(ID, 'pause', 'pausing', async () => {
      ran = true;
      return Promise.resolve();
    });
    expect(await answer(run)).toBe('conflict wrong_state');
    expect(ran).toBe(false);
    expect(await answer(m.states.run(ID, 'migrate', 'moving', () => Promise.resolve(), ['running']))).toBe(
      'conflict wrong_state',
    );
  });

  it('lets exactly one of two racing operations in; the other is refused busy at once', async () => {
    const m = machine('stopped');
    let release = (): void => undefined;
    const first = m.states.run(ID, 'start', 'starting the VM', async () => {
      m.states.transition(ID, 'start');
      await new Promise<void>((r) => (release = r));
    });
    const second = answer(m.states.run(ID, 'disks', 'detaching disk 1', () => Promise.resolve()));
    expect(await second).toBe('conflict busy');
    expect(m.states.holder(ID)).toMatchObject({ op: 'start', what: 'starting the VM' });
    release();
    await first;
    expect(m.states.holder(ID)).toBeUndefined();
    // Done starting, the VM is `starting` still (nothing launched it): a detach is the wrong state now.
    expect(await answer(m.states.run(ID, 'disks', 'detaching', () => Promise.resolve()))).toBe(
      'conflict wrong_state',
    );
  });

  it('lets power-off preempt an operation holding the VM', async () => {
    const m = machine('running');
    let release = (): void => undefined;
    const held = m.states.run(
      ID,
      'snapshot',
      'taking snapshot s',
      () => new Promise<void>((r) => (release = r)),
    );
    const off = await answer(m.states.preempt(ID, 'poweroff', 'powering off', () => Promise.resolve()));
    expect(off).toBe('done');
    expect(await answer(m.states.run(ID, 'pause', 'pausing', () => Promise.resolve()))).toBe('conflict busy');
    release();
    await held;
  });

  it('answers 409 guest_died when qemu died inside the operation', async () => {
    const exit: QemuExit = {
      kind: 'crashed',
      exitCode: null,
      signal: 'SIGKILL',
      reason: 'killed by SIGKILL',
      logTail: '',
    };
    const rt = {
      guest: { exit, qmp: { state: 'closed' }, exited: Promise.resolve(exit) },
    } as unknown as VmRuntime;
    const m = machine('running', rt);
    const run = m.states.run(ID, 'snapshot', 'taking snapshot s', () =>
      Promise.reject(new Error('qemu closed its QMP connection while job x ran')),
    );
    await expect(run).rejects.toMatchObject({
      kind: 'conflict',
      code: 'guest_died',
      message: 'the guest died: qemu exited while taking snapshot s (killed by SIGKILL); the VM is crashed',
    });
    // qemu alive and answering: the operation's own error goes on.
    const alive = { guest: { exit: undefined, qmp: { state: 'ready' } } } as unknown as VmRuntime;
    expect(await qemuDeath(alive, 'x', new Error('no'))).toBeUndefined();
  });
});

describe('the state machine is the only writer of a VM state', () => {
  it('is the only caller of VmsRepo.saveState, and only the repo writes the state column', () => {
    const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
          const rel = path.relative(src, file);
          const text = fs.readFileSync(file, 'utf8');
          if (/\.saveState\(/.test(text) && rel !== 'vms/vm-states.ts') offenders.push(`${rel}: saveState`);
          if (/SET\s+state\b/i.test(text) && rel !== 'store/vms-repo.ts') offenders.push(`${rel}: SET state`);
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
  });
});

describe('adoptedState', () => {
  it('keeps what the server last knew where qemu allows it', () => {
    expect(adoptedState('running', 'running')).toBe('running');
    expect(adoptedState('paused', 'paused')).toBe('paused');
    // A reset of a paused guest leaves qemu in prelaunch: still paused, never resumed by a restart.
    expect(adoptedState('paused', 'prelaunch')).toBe('paused');
    expect(adoptedState('running', 'prelaunch')).toBe('paused');
    // The -S of a start the server never finished: the start completes.
    expect(adoptedState('starting', 'prelaunch')).toBe('running');
    expect(adoptedState('stopping', 'running')).toBe('stopping');
    expect(adoptedState('running', 'io-error')).toBe('paused');
  });
});
