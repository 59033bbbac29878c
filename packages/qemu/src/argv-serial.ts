// The guest's serial ports past ttyS0 (the console): each a unix socket qemu listens on, one client at a time.
import { escapeOptValue, type Fail } from './argv-opts.ts';
import { MAX_SERIAL_PORTS, type RuntimePaths } from './spec.ts';

/**
 * `-chardev` + `-serial` for ttyS1 .. ttyS<count-1>.
 * NOTE: `-serial` options take the COM ports in order, so these come after ttyS0's; qemu listens without
 * waiting for a client (wait=off) and drops what the guest writes while nobody is connected.
 */
export function extraSerialArgs(count: number, paths: RuntimePaths): string[] {
  return paths.serialPorts
    .slice(0, Math.max(0, count - 1))
    .flatMap((sock, i) => [
      ...['-chardev', `socket,id=serial${i + 1},path=${escapeOptValue(sock)},server=on,wait=off`],
      ...['-serial', `chardev:serial${i + 1}`],
    ]);
}

export function validateSerialPorts(count: number | undefined, fail: Fail): void {
  if (count === undefined) return;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SERIAL_PORTS)
    fail(`serial ports must be 1 to ${MAX_SERIAL_PORTS}: ${count}`);
}
