import { ErrorCode } from '@virtweb/protocol';
import { Conflict, DomainError } from '../domain/errors.ts';
import type { GuestExit } from '../engine/engine.ts';
import type { VmRuntime } from './vm-runtime.ts';

/** How long a closed QMP connection may precede the exit the supervisor reports. */
const EXIT_WAIT_MS = 5000;

/**
 * The answer for an operation that failed because its qemu went away: Conflict `guest_died` naming the operation
 * and the exit. Undefined while qemu is alive and answering (the failure is the operation's own), or when the
 * error already says the guest died.
 */
export async function qemuDeath(
  rt: VmRuntime | undefined,
  what: string,
  err: unknown,
): Promise<Conflict | undefined> {
  if (!rt) return undefined;
  if (err instanceof DomainError && (err.code === ErrorCode.guestDied || explained.has(err)))
    return undefined;
  if (rt.guest.exit === undefined && rt.guest.qmp.state === 'ready') return undefined;
  const exit = rt.guest.exit ?? (await exitWithin(rt, EXIT_WAIT_MS));
  return exit === undefined ? undefined : guestDied(what, exit);
}

const explained = new WeakSet<DomainError>();

/** Marks an answer that already says how qemu ended (an operation that stopped the guest on purpose). */
export function explainsExit(err: DomainError): DomainError {
  explained.add(err);
  return err;
}

/** Conflict `guest_died`: "qemu exited while <what> (<how>); the VM is crashed". */
export function guestDied(
  what: string,
  exit: GuestExit,
  more = '',
  details?: { path: string; message: string }[],
): Conflict {
  const state = exit.kind === 'crashed' ? 'crashed' : 'stopped';
  return new Conflict(
    ErrorCode.guestDied,
    `the guest died: qemu exited while ${what} (${exit.reason}); the VM is ${state}${more}`,
    details,
  );
}

/** The process's exit, if it comes within `ms`. */
export function exitWithin(rt: VmRuntime, ms: number): Promise<GuestExit | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void rt.guest.exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}
