import type { VmState } from '@virtweb/protocol';

/** The VM state as a coloured badge; the text is the state name, so it reads the same without colour. */
export function StateBadge({ state }: { state: VmState }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}
