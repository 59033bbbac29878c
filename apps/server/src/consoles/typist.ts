import type { QmpKeyValue } from '@virtweb/qmp';
import { charKeys } from './keys.ts';

/** How fast text is typed. */
export interface TypingPace {
  /**
   * `hold-time` of each QMP send-key. qemu waits this long after every key press and every release, so a
   * character takes 2 * keys * keyDelayMs inside qemu (one key, or two with shift).
   */
  keyDelayMs: number;
  /** Extra wait per character on our side, so qemu's queue is empty when the next one arrives. */
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

/** Roughly how long one character takes (the QMP round trip counted as 1 ms). */
export function charMs(ch: string, pace: TypingPace): number {
  return 2 * charKeys(ch).length * pace.keyDelayMs + pace.slackMs + 1;
}

/**
 * Types pastes into one guest, one character at a time and in order; a paste that arrives while another is
 * typing waits behind it.
 * NOTE: qemu answers send-key at once and plays the presses, releases and delays from its own input queue,
 * which silently drops events beyond 1024 entries (~100 characters of backlog): keys go missing and shift
 * gets stuck. So each character is sent only after the previous one has been played.
 */
export class Typist {
  private readonly pastes: string[] = [];
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

  /** Queues a paste (validated: ASCII only); returns roughly when it will have been typed. */
  enqueue(text: string): { chars: number; etaMs: number } {
    let ms = 0;
    for (const ch of text) ms += charMs(ch, this.pace);
    const chars = text.length;
    this.pastes.push(text);
    this.pendingMs += ms;
    this.pendingChars += chars;
    if (!this.typing) void this.run();
    return { chars, etaMs: Math.round(this.pendingMs) };
  }

  private async run(): Promise<void> {
    this.typing = true;
    try {
      for (let text = this.pastes[0]; text !== undefined; text = this.pastes[0]) {
        for (const ch of text) {
          if (!(await this.ready())) return;
          const keys = charKeys(ch);
          await this.target.sendKey(keys, this.pace.keyDelayMs);
          await sleep(2 * keys.length * this.pace.keyDelayMs + this.pace.slackMs);
          this.pendingMs -= charMs(ch, this.pace);
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
