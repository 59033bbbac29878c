import { useId, useState } from 'react';
import type { SignalRequest, Vm } from '@virtweb/protocol';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useNotify } from '../components/notify/context.ts';
import { useSendSignal } from '../queries/process.ts';

type Signal = SignalRequest['signal'];

const WHAT: Record<Signal, { effect: string; then: string }> = {
  SIGTERM: {
    effect:
      'qemu catches SIGTERM and quits at once: the guest’s operating system does not shut down, so what it has not written to disk is lost. qemu itself closes its files cleanly.',
    then: 'The guest then shows as stopped, with the signal (and who sent it) as the reason.',
  },
  SIGKILL: {
    effect:
      'The kernel ends qemu immediately; qemu gets no chance to clean up. Like pulling the power plug of a real machine.',
    then: 'The guest then shows as crashed, with the signal as the reason.',
  },
};

/**
 * `kill -s SIGTERM|SIGKILL <pid>` from the browser: shows that a guest is an ordinary process that the
 * usual tools can stop. Asks first; the state change arrives live from the events socket.
 */
export function SendSignalBtn({ vm, pid }: { vm: Vm; pid: number }) {
  const [signal, setSignal] = useState<Signal>('SIGTERM');
  const send = useSendSignal(vm.id);
  const notify = useNotify();
  const selectId = useId();
  const command = signal === 'SIGKILL' ? `kill -9 ${pid}` : `kill ${pid}`;

  const run = () =>
    send.mutate(signal, {
      onSuccess: () => notify.success(`${signal} sent to qemu of ${vm.name} (pid ${pid})`),
      onError: (err) => notify.error(`Could not send ${signal} to ${vm.name}`, err),
    });

  return (
    <div className="signal-row">
      <label htmlFor={selectId}>Signal</label>
      <select id={selectId} value={signal} onChange={(e) => setSignal(e.target.value as Signal)}>
        <option value="SIGTERM">SIGTERM (ask qemu to quit)</option>
        <option value="SIGKILL">SIGKILL (kill at once)</option>
      </select>
      <ConfirmButton
        label="Send signal"
        title={`Send ${signal} to the qemu of ${vm.name}?`}
        onConfirm={run}
        busy={send.isPending}
        danger
      >
        <p>
          This does what <code>{command}</code> does on the host.
        </p>
        <p>{WHAT[signal].effect}</p>
        <p>{WHAT[signal].then}</p>
      </ConfirmButton>
    </div>
  );
}
