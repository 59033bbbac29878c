import type { QmpKeyValue } from '@virtweb/qmp';
import { describe, expect, it } from 'vitest';
import { charMs, Typist, untypable, type KeyTarget } from './typist.ts';

type Status = ReturnType<KeyTarget['status']>;

/** A fake guest keyboard that records what it is sent, when, and whether sends ever overlapped. */
class FakeKeyboard implements KeyTarget {
  sent: { keys: string; hold: number; at: number }[] = [];
  state: Status = 'running';
  overlapped = false;
  failAt = -1;
  private busy = false;

  async sendKey(keys: QmpKeyValue[], holdMs: number): Promise<void> {
    if (this.busy) this.overlapped = true;
    this.busy = true;
    await new Promise((r) => setTimeout(r, 1));
    this.busy = false;
    if (this.sent.length === this.failAt) throw new Error('qmp went away');
    this.sent.push({ keys: keys.map((k) => String(k.data)).join('+'), hold: holdMs, at: performance.now() });
  }

  status(): Status {
    return this.state;
  }

  typed(): string[] {
    return this.sent.map((s) => s.keys);
  }
}

const until = async (pred: () => boolean, ms = 5000): Promise<void> => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const FAST = { keyDelayMs: 0, slackMs: 0 };

describe('Typist', () => {
  it('types one key at a time, in order, pastes queued behind each other', async () => {
    const kb = new FakeKeyboard();
    let idle = 0;
    const typist = new Typist(kb, FAST, () => idle++);
    const first = typist.enqueue('aB');
    const second = typist.enqueue('c\n');
    expect(first.chars).toBe(2);
    expect(second.etaMs).toBeGreaterThan(first.etaMs);
    expect(typist.pending).toBe(4);
    await until(() => idle === 1);
    expect(kb.typed()).toEqual(['a', 'shift+b', 'c', 'ret']);
    expect(kb.overlapped).toBe(false);
    expect(typist.pending).toBe(0);
  });

  it('waits for qemu to play each character (2 transitions per key, each keyDelayMs) plus the slack', async () => {
    const kb = new FakeKeyboard();
    const pace = { keyDelayMs: 5, slackMs: 2 };
    let idle = false;
    const typist = new Typist(kb, pace, () => (idle = true));
    expect(typist.enqueue('aBc').etaMs).toBe(charMs('a', pace) * 2 + charMs('B', pace));
    await until(() => idle);
    const [a, b, c] = kb.sent;
    expect(a!.hold).toBe(5);
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(2 * 1 * 5 + 2 - 1);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(2 * 2 * 5 + 2 - 1);
  });

  it("types each paste with its own layout, a dead key's character as the key and a space", async () => {
    const kb = new FakeKeyboard();
    let idle = 0;
    const typist = new Typist(kb, FAST, () => idle++);
    typist.enqueue('zy', 'us');
    const german = typist.enqueue('zß^@', 'de');
    expect(german.chars).toBe(4);
    await until(() => idle === 1);
    expect(kb.typed()).toEqual(['z', 'y', 'y', 'minus', 'grave_accent', 'spc', 'alt_r+q']);
    expect(charMs('^', { keyDelayMs: 5, slackMs: 2 }, 'de')).toBe(2 * (10 + 2 + 1));
  });

  it('finds the first character a layout has no key for', () => {
    expect(untypable('ok ß', 'us')).toEqual({ index: 4, ch: 'ß' });
    expect(untypable('ok ß', 'de')).toBeNull();
    expect(untypable('😀', 'fr')).toEqual({ index: 1, ch: '😀' });
  });

  it('waits while the guest is paused and goes on when it runs again', async () => {
    const kb = new FakeKeyboard();
    const typist = new Typist(kb, FAST);
    kb.state = 'paused';
    typist.enqueue('xy');
    // What is checked is that nothing happens: no key in a quarter of a second while paused.
    await new Promise((r) => setTimeout(r, 250));
    expect(kb.sent).toHaveLength(0);
    kb.state = 'running';
    await until(() => kb.sent.length === 2);
    expect(kb.typed()).toEqual(['x', 'y']);
  });

  it('drops what is left when the guest is gone, and can be used again', async () => {
    const kb = new FakeKeyboard();
    let idle = 0;
    const typist = new Typist(kb, { keyDelayMs: 0, slackMs: 20 }, () => idle++);
    typist.enqueue('abcdefgh');
    typist.enqueue('ijk');
    await until(() => kb.sent.length === 2);
    kb.state = 'gone';
    await until(() => idle === 1);
    expect(kb.sent.length).toBeLessThan(5);
    expect(typist.pending).toBe(0);
    kb.state = 'running';
    kb.sent = [];
    typist.enqueue('z');
    await until(() => idle === 2);
    expect(kb.typed()).toEqual(['z']);
  });

  it('stops and empties the queue when a send fails', async () => {
    const kb = new FakeKeyboard();
    kb.failAt = 1;
    let idle = 0;
    const typist = new Typist(kb, FAST, () => idle++);
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      typist.enqueue('abc');
      await until(() => idle === 1);
    } finally {
      console.error = orig;
    }
    expect(kb.typed()).toEqual(['a']);
    expect(typist.pending).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
