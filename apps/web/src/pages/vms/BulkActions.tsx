import { isOperationAllowed, type Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useBulkVmAction, type BulkOutcome } from '../../queries/vms.ts';

const WORDS: Record<'start' | 'shutdown' | 'poweroff', { label: string; did: string }> = {
  start: { label: 'Start', did: 'Starting' },
  shutdown: { label: 'Shut down', did: 'Asked to shut down' },
  poweroff: { label: 'Power off', did: 'Powering off' },
};

/** Start, shut down or power off the selected guests; each button acts on those whose state allows it. */
export function BulkActions({ selected, onDone }: { selected: readonly Vm[]; onDone: () => void }) {
  return (
    <div className="bulk-actions" role="group" aria-label="Selected guests">
      <span>{selected.length} selected</span>
      <BulkButton action="start" selected={selected} onDone={onDone} />
      <BulkButton action="shutdown" selected={selected} onDone={onDone} />
      <BulkButton action="poweroff" selected={selected} onDone={onDone} />
      <button type="button" className="btn btn-quiet" onClick={onDone}>
        Clear selection
      </button>
    </div>
  );
}

function BulkButton({
  action,
  selected,
  onDone,
}: {
  action: 'start' | 'shutdown' | 'poweroff';
  selected: readonly Vm[];
  onDone: () => void;
}) {
  const mutation = useBulkVmAction(action);
  const notify = useNotify();
  const targets = selected.filter((v) => isOperationAllowed(action, v.state));
  const skipped = selected.length - targets.length;
  const { label, did } = WORDS[action];
  const text = `${label} ${targets.length}`;
  const report = ({ done, failed }: BulkOutcome) => {
    const skippedText = skipped > 0 ? ` (${skipped} skipped: their state does not allow it)` : '';
    if (done.length > 0) notify.success(`${did} ${done.join(', ')}${skippedText}`);
    for (const f of failed) notify.error(`Could not ${label.toLowerCase()} ${f.name}`, f.error);
    onDone();
  };
  const run = () => mutation.mutate(targets, { onSuccess: report });
  const disabled = targets.length === 0 || mutation.isPending;
  const why = targets.length === 0 ? `none of the selected guests can ${label.toLowerCase()} now` : undefined;
  if (action === 'poweroff') {
    return (
      <ConfirmButton
        label={text}
        title={`Power off ${targets.map((v) => v.name).join(', ')}?`}
        onConfirm={run}
        disabled={disabled}
        busy={mutation.isPending}
        danger
      >
        <p>
          This cuts the power of each at once, like pulling the plug: data a guest has not written is lost.
        </p>
      </ConfirmButton>
    );
  }
  return (
    <button
      type="button"
      className="btn"
      onClick={run}
      disabled={disabled}
      title={why}
      aria-busy={mutation.isPending}
    >
      {text}
    </button>
  );
}
