import { useState, type SubmitEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { BalloonRequestSchema, MIN_MEMORY_MIB, type BalloonInfo, type Vm } from '@virtweb/protocol';
import { NumberField } from '../../../components/NumberField.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { balloonQuery, useSetBalloon } from '../../../queries/vmConfig.ts';
import { memoryLabel } from '../../vmFormat.ts';
import { errorText } from '../../../api/errors.ts';

/** Whether the running qemu has a balloon device (a `balloon` change may still be pending). */
export function runsWithBalloon(vm: Vm): boolean {
  return vm.pendingChanges?.includes('balloon') ? !vm.balloon : vm.balloon;
}

/**
 * "Set guest memory now" for a running guest with a memory balloon: the guest's balloon driver gives memory
 * back to the host (or takes it again), up to the memory it started with.
 */
export function BalloonPanel({ vm }: { vm: Vm }) {
  const generation = vm.startedAt ?? '';
  const info = useQuery(balloonQuery(vm.id, generation));
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const mutation = useSetBalloon(vm.id, generation);
  const notify = useNotify();
  const max = info.data?.memoryMiB;

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = BalloonRequestSchema.safeParse({
      targetMiB: target.trim() === '' ? undefined : Number(target),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setError(issue?.code === 'invalid_type' ? 'enter a whole number' : issue?.message);
      return;
    }
    const { targetMiB } = parsed.data;
    if (max !== undefined && targetMiB > max) {
      setError(`at most ${max} MiB, the memory the guest started with`);
      return;
    }
    setError(undefined);
    mutation.mutate(targetMiB, {
      onSuccess: () =>
        notify.success(
          `Asked ${vm.name} to use ${memoryLabel(targetMiB)}`,
          'The guest’s balloon driver gives memory back or takes it again over the next seconds.',
        ),
      onError: (err) => setError(errorText(err)),
    });
  };

  return (
    <section className="panel settings-balloon" aria-labelledby="balloon-title">
      <h2 id="balloon-title">Guest memory now</h2>
      {info.isError && (
        <QueryError what="the memory balloon" error={info.error} onRetry={() => void info.refetch()} />
      )}
      {info.data && (
        <p>
          The guest has <strong>{memoryLabel(info.data.actualMiB)}</strong> of the{' '}
          {memoryLabel(info.data.memoryMiB)} it started with.
        </p>
      )}
      {info.data && <GuestMemoryUse info={info.data} />}
      <form
        className="settings-inline"
        onSubmit={submit}
        noValidate
        aria-label={`Guest memory of ${vm.name}`}
      >
        <NumberField
          label="Guest memory (MiB)"
          error={error}
          hint={`Applies at once through the memory balloon: ${MIN_MEMORY_MIB} MiB to ${max ?? 'the memory at start'}${max ? ' MiB' : ''}.`}
          min={MIN_MEMORY_MIB}
          max={max}
          value={target}
          placeholder={info.data ? String(info.data.actualMiB) : undefined}
          onChange={(v) => {
            setTarget(v);
            setError(undefined);
          }}
        />
        <button type="submit" className="btn" disabled={mutation.isPending} aria-busy={mutation.isPending}>
          {mutation.isPending ? 'Setting…' : 'Set guest memory now'}
        </button>
      </form>
    </section>
  );
}

/** The guest's own memory use, from its balloon driver's statistics, or why there is none. */
function GuestMemoryUse({ info }: { info: BalloonInfo }) {
  if (info.guestStats === 'waiting') return <p className="muted">Asking the guest for its own memory use…</p>;
  if (info.guestStats === 'not-reported' || !info.guest) {
    return (
      <p className="muted">
        The guest does not report its memory use (its balloon driver gives no statistics).
      </p>
    );
  }
  const { usedMiB, totalMiB, freeMiB, availableMiB, updatedAt } = info.guest;
  return (
    <p className="guest-memory-use">
      The guest says it uses <strong>{memoryLabel(usedMiB)}</strong> of the {memoryLabel(totalMiB)} it sees
      {availableMiB === undefined
        ? ` (${memoryLabel(freeMiB)} free)`
        : ` (${memoryLabel(availableMiB)} available, ${memoryLabel(freeMiB)} of it free)`}
      <span className="muted">, as of {new Date(updatedAt).toLocaleTimeString()}</span>.
    </p>
  );
}
