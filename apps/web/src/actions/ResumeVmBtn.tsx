import type { Vm } from '@virtweb/protocol';
import { VmActionBtn } from './VmActionBtn.tsx';

/** Lets a paused guest run again. */
export function ResumeVmBtn({ vm }: { vm: Vm }) {
  return <VmActionBtn vm={vm} action="resume" label="Resume" primary />;
}
