import type { ReactNode } from 'react';
import { isOperationAllowed, type Vm, type VmAction } from '@virtweb/protocol';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useNotify } from '../components/notify/context.ts';
import { useVmAction } from '../queries/vms.ts';

interface Props {
  vm: Vm;
  action: VmAction;
  label: string;
  /** Ask first (destructive actions): the dialog's heading and text. */
  confirm?: { title: string; text: ReactNode };
  /** Toast after the server accepted the request, for actions whose effect is not immediate. */
  accepted?: (vm: Vm) => string;
  primary?: boolean;
  danger?: boolean;
}

/**
 * The shared body of the lifecycle buttons: enabled per state (the operation table in packages/protocol, which
 * the server's 409s follow too), busy while pending, errors as toasts.
 */
export function VmActionBtn({ vm, action, label, confirm, accepted, primary, danger }: Props) {
  const mutation = useVmAction(action);
  const notify = useNotify();
  const allowed = isOperationAllowed(action, vm.state);

  const run = () =>
    mutation.mutate(vm.id, {
      onSuccess: (answer) => {
        if (accepted) notify.success(accepted(answer));
      },
      onError: (err) => notify.error(`Could not ${label.toLowerCase()} ${vm.name}`, err),
    });

  if (confirm) {
    return (
      <ConfirmButton
        label={label}
        title={confirm.title}
        onConfirm={run}
        disabled={!allowed}
        busy={mutation.isPending}
        danger={danger}
      >
        {confirm.text}
      </ConfirmButton>
    );
  }
  const cls = primary ? 'btn btn-primary' : danger ? 'btn btn-danger' : 'btn';
  return (
    <button
      type="button"
      className={cls}
      disabled={!allowed || mutation.isPending}
      aria-busy={mutation.isPending}
      onClick={run}
    >
      {mutation.isPending ? `${label}…` : label}
    </button>
  );
}
