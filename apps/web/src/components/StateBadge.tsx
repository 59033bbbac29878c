import type { VmState } from '@virtweb/protocol';
import { stateTitle, stateWord } from './stateWords.ts';

/** The VM state as a coloured badge; the text is the state's word, so it reads the same without colour. */
export function StateBadge({ state }: { state: VmState }) {
  return (
    <span className={`badge badge-${stateWord(state)}`} title={stateTitle(state)}>
      {stateWord(state)}
    </span>
  );
}
