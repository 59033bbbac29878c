import type { VmExit } from '@virtweb/protocol';
import { timeLabel } from '../vmFormat.ts';

const KIND = { clean: 'Stopped cleanly', crashed: 'Crashed', killed: 'Killed' } as const;

/** How the last qemu process ended; for a crash, the tail of qemu.log says why. */
export function LastExit({ exit }: { exit: VmExit }) {
  return (
    <div className={exit.kind === 'crashed' ? 'panel panel-error' : 'panel'}>
      <h2>Last exit</h2>
      <dl className="facts">
        <dt>Result</dt>
        <dd>{KIND[exit.kind]}</dd>
        <dt>Reason</dt>
        <dd>{exit.reason}</dd>
        <dt>At</dt>
        <dd>{timeLabel(exit.at)}</dd>
      </dl>
      {exit.logTail && (
        <>
          <h3>qemu log (last lines)</h3>
          <pre className="log" tabIndex={0} aria-label="qemu log tail">
            {exit.logTail}
          </pre>
        </>
      )}
    </div>
  );
}
