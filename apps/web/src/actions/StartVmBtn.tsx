import type { Vm } from '@virtweb/protocol';
import { VmActionBtn } from './VmActionBtn.tsx';

/** Starts a defined, stopped or crashed guest (a new qemu process). */
export function StartVmBtn({ vm }: { vm: Vm }) {
  return <VmActionBtn vm={vm} action="start" label="Start" primary />;
}
