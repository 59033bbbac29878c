import { describe, expect, it } from 'vitest';
import type { Engine } from './engine.ts';
import { Engines, refOf } from './engines.ts';

const engine = (connection: string) => ({ id: 'qemu-direct', connection }) as unknown as Engine;

describe('Engines', () => {
  const local = engine('local');
  const lab = engine('qemu+ssh://lab/system');
  const engines = new Engines([local, lab]);

  it('finds the engine a record names, by engine and connection', () => {
    expect(engines.default).toBe(local);
    expect(engines.of(refOf(lab))).toBe(lab);
    expect(engines.of({ id: 'qemu-direct', connection: 'local' })).toBe(local);
  });

  it('refuses (409) a guest whose engine or connection this server does not have, naming both', () => {
    const ref = { id: 'qemu-direct', connection: 'qemu+tls://gone/system' } as const;
    expect(engines.find(ref)).toBeUndefined();
    expect(() => engines.of(ref)).toThrow(/no engine qemu-direct for qemu\+tls:\/\/gone\/system/);
    let kind: unknown;
    try {
      engines.of(ref);
    } catch (err) {
      kind = (err as { kind?: unknown }).kind;
    }
    expect(kind).toBe('conflict');
  });
});
