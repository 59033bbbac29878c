import { describe, expect, it } from 'vitest';
import { closestVram } from './devicesChoice.ts';

describe('closestVram', () => {
  it('keeps the size a model takes, else the nearest one it takes', () => {
    expect(closestVram('vga', 16)).toBe(16);
    expect(closestVram('cirrus', 64)).toBe(16);
    expect(closestVram('virtio', 16)).toBe(64);
    expect(closestVram('bochs', 512)).toBe(256);
  });
});
