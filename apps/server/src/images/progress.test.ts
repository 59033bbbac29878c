import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '@virtweb/protocol';
import { EventBus } from '../events/bus.ts';
import { ImageLocks } from './image-locks.ts';
import { ProgressReporter } from './progress.ts';

describe('ProgressReporter', () => {
  it('publishes at most one event per 200 ms, always the first (forced) and the last', () => {
    const bus = new EventBus();
    const seen: ServerEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    let now = 1000;
    const p = new ProgressReporter(bus, { name: 'a.iso', op: 'upload', total: 100 }, () => now);
    p.report(0, true);
    for (let done = 1; done < 100; done++) {
      now += 10; // 100 reports a second
      p.report(done);
    }
    p.finish();
    p.finish();
    const dones = seen.map((e) => (e.type === 'image.progress' ? e.done : -1));
    expect(dones[0]).toBe(0);
    expect(dones.at(-1)).toBe(100);
    expect(dones.length).toBeLessThanOrEqual(2 + Math.ceil((99 * 10) / 200));
    expect(seen[1]).toEqual({ type: 'image.progress', name: 'a.iso', op: 'upload', total: 100, done: 20 });
  });
});

describe('ImageLocks', () => {
  it('takes every name or none, refuses with 409 busy, and releases once', async () => {
    const locks = new ImageLocks();
    const release = locks.acquire(['a', 'b'], 'convert');
    expect(locks.operationOn('b')).toBe('convert');
    expect(() => locks.acquire(['c', 'b'], 'resize')).toThrow(/image b is busy: convert in progress/);
    expect(locks.operationOn('c')).toBeUndefined();
    release();
    const again = locks.acquire(['b'], 'upload');
    release(); // a second release of the first holder must not free the new one
    expect(locks.operationOn('b')).toBe('upload');
    again();
    await expect(locks.with(['x'], 'delete', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(locks.operationOn('x')).toBeUndefined();
  });
});
