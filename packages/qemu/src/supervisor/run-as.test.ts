import { describe, expect, it } from 'vitest';
import { SETPRIV, spawnAs } from './run-as.ts';

describe('spawnAs', () => {
  const user = { uid: 999, gid: 998 };

  it('runs qemu as the server when no user is given', () => {
    expect(spawnAs('qemu', ['-S'], undefined, 1000)).toEqual({ command: 'qemu', args: ['-S'] });
  });

  it('lets a root server switch ids itself (root → non-root clears every capability)', () => {
    expect(spawnAs('qemu', ['-S'], user, 0)).toEqual({ command: 'qemu', args: ['-S'], ids: user });
  });

  it('switches a non-root server through setpriv, clearing the ambient and inheritable capabilities', () => {
    const run = spawnAs('qemu', ['-S'], user, 997);
    expect(run.command).toBe(SETPRIV);
    expect(run.ids).toBeUndefined();
    expect(run.args).toEqual([
      '--reuid=999',
      '--regid=998',
      '--clear-groups',
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--',
      'qemu',
      '-S',
    ]);
  });
});
