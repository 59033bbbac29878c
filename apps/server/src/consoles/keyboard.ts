import {
  ErrorCode,
  KEYBOARD_LAYOUT_LABELS,
  describeChar,
  type KeyCombo,
  type KeyboardLayout,
  type TypeTextResponse,
  type Vm,
} from '@virtweb/protocol';
import { Conflict, Invalid, Throttled } from '../domain/errors.ts';
import type { VmRuntime } from '../vms/vm-runtime.ts';
import type { VmService } from '../vms/vm-service.ts';
import { comboKeys } from './keys.ts';
import { qmpFailure } from './qmp-failure.ts';
import { DEFAULT_PACE, Typist, untypable, type TypingPace } from './typist.ts';

const COMBO_HOLD_MS = 50;

/** Four full pastes may wait; more is a runaway client. */
export const MAX_PENDING_CHARS = 4 * 4096;

/** The guest's keyboard: key combinations and paste-as-keystrokes, through QMP `send-key`. */
export class GuestKeyboard {
  private readonly typists = new Map<string, { rt: VmRuntime; typist: Typist }>();

  constructor(
    private readonly vms: VmService,
    private readonly pace: TypingPace = DEFAULT_PACE,
  ) {}

  /** Presses a combination and releases it. @throws NotFound, Conflict */
  async sendCombo(id: string, combo: KeyCombo): Promise<void> {
    const { vm, rt } = this.running(id);
    try {
      // 50 ms between transitions: long enough for firmware that polls the keyboard.
      await rt.guest.qmp.execute('send-key', { keys: comboKeys(combo), 'hold-time': COMBO_HOLD_MS });
    } catch (err) {
      throw qmpFailure(err, vm);
    }
  }

  /**
   * Queues text to be typed with the keys of the guest's layout.
   * @throws NotFound, Conflict (not running), Invalid (a character the layout has no key for), Throttled (too much queued)
   */
  type(id: string, text: string, layout: KeyboardLayout = 'us'): TypeTextResponse {
    const { rt } = this.running(id);
    const bad = untypable(text, layout);
    if (bad) {
      const message = `character ${bad.index} is ${describeChar(bad.ch)}: no key of the ${KEYBOARD_LAYOUT_LABELS[layout]} layout types it`;
      throw new Invalid(`invalid request: text: ${message}`, [{ path: 'text', message }]);
    }
    let entry = this.typists.get(id);
    // A typist of an earlier qemu process of this VM stops by itself (its target is gone).
    if (entry?.rt !== rt) {
      const created = {
        rt,
        typist: new Typist(
          {
            sendKey: async (keys, holdMs) => {
              await rt.guest.qmp.execute('send-key', { keys, 'hold-time': holdMs });
            },
            status: () => this.status(id, rt),
          },
          this.pace,
          () => {
            if (this.typists.get(id) === created) this.typists.delete(id);
          },
        ),
      };
      entry = created;
      this.typists.set(id, entry);
    }
    if (entry.typist.pending + text.length > MAX_PENDING_CHARS) {
      throw new Throttled(
        ErrorCode.conflict,
        `${entry.typist.pending} characters are still waiting to be typed; try again when they are done`,
      );
    }
    return entry.typist.enqueue(text, layout);
  }

  private status(id: string, rt: VmRuntime): 'running' | 'paused' | 'gone' {
    if (this.vms.runtime(id) !== rt) return 'gone';
    let state: Vm['state'];
    try {
      state = this.vms.get(id).state;
    } catch {
      return 'gone';
    }
    return state === 'running' ? 'running' : state === 'paused' ? 'paused' : 'gone';
  }

  private running(id: string): { vm: Vm; rt: VmRuntime } {
    const vm = this.vms.get(id);
    const rt = this.vms.runtime(id);
    if (!rt || vm.state !== 'running') {
      throw new Conflict(ErrorCode.wrongState, `VM ${vm.name} is ${vm.state}; keys need a running guest`);
    }
    return { vm, rt };
  }
}
