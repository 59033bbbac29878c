import type { Vm } from '@virtweb/protocol';
import { VmActionBtn } from './VmActionBtn.tsx';

/** Freezes the vCPUs; memory stays allocated. */
export function PauseVmBtn({ vm }: { vm: Vm }) {
  return <VmActionBtn vm={vm} action="pause" label="Pause" />;
}
