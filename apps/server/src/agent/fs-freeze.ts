// Quiescing a guest around a snapshot or a state save: its agent freezes its file systems, then thaws them.
import type { GuestAgent } from './guest-agent.ts';

const plural = (n: number): string => `${n} file system${n === 1 ? '' : 's'}`;

/** A freeze that was asked for: what it did, in words, and how to undo it. */
export interface Freeze {
  /** e.g. "file systems frozen by the guest agent (1 file system, status frozen)", or why not frozen. */
  note: string;
  /** Thaws what was frozen (nothing when nothing was); resolves with words on it, never rejects. */
  thaw(): Promise<string>;
}

/**
 * Freezes the guest's file systems through `agent` (none: not frozen). A freeze the agent refuses or does
 * not answer is no reason to stop the operation: the note says it was not frozen.
 */
export async function freezeFilesystems(agent: GuestAgent | undefined): Promise<Freeze> {
  const none = (): Promise<string> => Promise.resolve('');
  if (!agent) return { note: 'file systems not frozen: no guest agent answering', thaw: none };
  let frozen: number;
  try {
    frozen = await agent.freeze();
  } catch (err) {
    // NOTE: qemu-ga thaws what it froze when a freeze fails part-way; a thaw here is for one that timed out.
    await agent.thaw().catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    return { note: `file systems not frozen: ${why}`, thaw: none };
  }
  if (frozen === 0) return { note: 'the guest agent found no file system to freeze', thaw: none };
  const status = await agent.freezeStatus().catch(() => 'unknown');
  return {
    note: `file systems frozen by the guest agent (${plural(frozen)}, status ${status})`,
    thaw: () =>
      agent.thaw().then(
        (n) => `then thawed (${plural(n)})`,
        (err: unknown) => {
          console.warn(`virtweb: the guest agent could not thaw the file systems: ${String(err)}`);
          return 'but the guest agent could not thaw them';
        },
      ),
  };
}

/**
 * Runs `run` with the guest's file systems frozen by `agent` and thaws them afterwards, also when `run` fails.
 * Resolves with `run`'s result and a note in words (see {@link Freeze.note}).
 * @throws what `run` throws
 */
export async function withFrozenFilesystems<T>(
  agent: GuestAgent | undefined,
  run: () => Promise<T>,
): Promise<{ result: T; note: string }> {
  const freeze = await freezeFilesystems(agent);
  let thawed = '';
  let result: T;
  try {
    result = await run();
  } finally {
    thawed = await freeze.thaw();
  }
  return { result, note: thawed === '' ? freeze.note : `${freeze.note}, ${thawed}` };
}
