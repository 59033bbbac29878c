import { afterEach, describe, expect, it, vi } from 'vitest';
import { Listeners } from './listeners.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Listeners', () => {
  it('calls listeners in order, once-listeners only once, and removes by identity', () => {
    const listeners = new Listeners();
    const calls: string[] = [];
    const a = (x: string) => calls.push(`a${x}`);
    listeners.add('e', a, false);
    listeners.add('e', (x: string) => calls.push(`once${x}`), true);
    listeners.emit('e', '1');
    listeners.emit('e', '2');
    listeners.remove('e', a);
    listeners.emit('e', '3');
    listeners.emit('other', '4');
    expect(calls).toEqual(['a1', 'once1', 'a2']);
  });

  it('keeps calling the other listeners when one throws, and rethrows outside the emit', () => {
    const deferred: (() => void)[] = [];
    vi.spyOn(process, 'nextTick').mockImplementation((fn: unknown) => void deferred.push(fn as () => void));
    const listeners = new Listeners();
    const boom = new Error('listener bug');
    const after = vi.fn();
    listeners.add(
      'e',
      () => {
        throw boom;
      },
      false,
    );
    listeners.add('e', after, false);
    expect(() => listeners.emit('e', 1)).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]?.()).toThrow(boom);
  });
});
