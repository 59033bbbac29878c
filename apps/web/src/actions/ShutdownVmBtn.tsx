import type { Vm } from '@virtweb/protocol';
import { VmActionBtn } from './VmActionBtn.tsx';

/** Graceful ACPI shutdown; the server escalates to quit/SIGTERM/SIGKILL when the guest does not react. */
export function ShutdownVmBtn({ vm }: { vm: Vm }) {
  return (
    <VmActionBtn
      vm={vm}
      action="shutdown"
      label="Shut down"
      accepted={(v) =>
        `Shutdown sent to ${v.name}: it stops when the guest agrees, or is forced after a timeout.`
      }
    />
  );
}
