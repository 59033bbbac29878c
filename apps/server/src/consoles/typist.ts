import type { KeyboardLayout } from '@virtweb/protocol';
import type { QmpKeyValue } from '@virtweb/qmp';
import { charStrokes } from './layouts.ts';

/** How fast text is typed. */
export interface TypingPace {
  /**
   * `hold-time` of each QMP send-key. qemu waits this long after every key press and every release, so a
   * stroke takes 2 * keys * keyDelayMs inside qemu (one key, or two with Shift or AltGr).
   */
  keyDelayMs: number;
  /** Extra wait per stroke on our side, so qemu's queue is empty when the next one arrives. */
  slackMs: number;
}

/**
 * 5 ms per key transition: 12 ms for a plain character, 22 ms for a shifted one (18 ms per character over
 * mixed text, measured). The test guest under TCG kept up with 1 ms, even with a busy vCPU; 5 ms leaves room
 * for slower guests (firmware, installers) that poll the keyboard.
 */
export const DEFAULT_PACE: TypingPace = { keyDelayMs: 5, slackMs: 2 };

/** Where typed keys go, and whether they can go there now. */
export interface KeyTarget {
  sendKey(keys: QmpKeyValue[], holdMs: number): Promise<void>;
  /** `paused`: wait (a paused guest reads no keys); `gone`: drop what is left. */
  status(): 'running' | 'paused' | 'gone';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The strokes that type a character with a layout (one stroke: keys pressed together; a dead key is two).
 * @throws RangeError when no key of the layout types it (the caller checks first: `untypable`)
 */
function strokes(ch: string, layout: KeyboardLayout): QmpKeyValue[][] {
  const found = charStrokes(ch, layout);
  if (!found) throw new RangeError(`no ${layout} key types ${JSON.stringify(ch)}`);
  return found;
}

/** How long one stroke waits: qemu plays its presses and releases, then the slack. */
const strokeWaitMs = (keys: number, pace: TypingPace): number => 2 * keys * pace.keyDelayMs + pace.slackMs;

/** Roughly how long one character takes (the QMP round trip counted as 1 ms per stroke). */
export function charMs(ch: string, pace: TypingPace, layout: KeyboardLayout = 'us'): number {
  return strokes(ch, layout).reduce((ms, keys) => ms + strokeWaitMs(keys.length, pace) + 1, 0);
}

/** The first character of `text` that no key of `layout` types (1-based index), or null. */
export function untypable(text: string, layout: KeyboardLayout): { index: number; ch: string } | null {
  let index = 0;
  for (const ch of text) {
    index += 1;
    if (!charStrokes(ch, layout)) return { index, ch };
  }
  return null;
}

/**
 * Types pastes into one guest, one character at a time and in order; a paste that arrives while another is
 * typing waits behind it.
 * NOTE: qemu answers send-key at once and plays the presses, releases and delays from its own input queue,
 * which silently drops events beyond 1024 entries (~100 characters of backlog): keys go missing and shift
 * gets stuck. So each character is sent only after the previous one has been played.
 */
export class Typist {
  private readonly pastes: { text: string; layout: KeyboardLayout }[] = [];
  private pendingMs = 0;
  private pendingChars = 0;
  private typing = false;

  constructor(
    private readonly target: KeyTarget,
    private readonly pace: TypingPace = DEFAULT_PACE,
    private readonly onIdle: () => void = () => undefined,
  ) {}

  /** Characters queued and not typed yet. */
  get pending(): number {
    return this.pendingChars;
  }

  /**
   * Queues a paste, typed with the keys of `layout` (checked by the caller: `untypable`); returns roughly
   * when it will have been typed.
   */
  enqueue(text: string, layout: KeyboardLayout = 'us'): { chars: number; etaMs: number } {
    let ms = 0;
    for (const ch of text) ms += charMs(ch, this.pace, layout);
    const chars = text.length;
    this.pastes.push({ text, layout });
    this.pendingMs += ms;
    this.pendingChars += chars;
    if (!this.typing) void this.run();
    return { chars, etaMs: Math.round(this.pendingMs) };
  }

  private async run(): Promise<void> {
    this.typing = true;
    try {
      for (let paste = this.pastes[0]; paste !== undefined; paste = this.pastes[0]) {
        for (const ch of paste.text) {
          for (const keys of strokes(ch, paste.layout)) {
            if (!(await this.ready())) return;
            await this.target.sendKey(keys, this.pace.keyDelayMs);
            await sleep(strokeWaitMs(keys.length, this.pace));
          }
          this.pendingMs -= charMs(ch, this.pace, paste.layout);
          this.pendingChars -= 1;
        }
        this.pastes.shift();
      }
    } catch (err) {
      if (this.target.status() !== 'gone') console.error('virtweb: typing into the guest failed', err);
    } finally {
      this.pastes.length = 0;
      this.pendingMs = 0;
      this.pendingChars = 0;
      this.typing = false;
      this.onIdle();
    }
  }

  /** Waits while the guest is paused; false when it is gone. */
  private async ready(): Promise<boolean> {
    for (;;) {
      const status = this.target.status();
      if (status !== 'paused') return status === 'running';
      await sleep(100);
    }
  }
}
