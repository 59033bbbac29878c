import { useId, type ReactNode } from 'react';
import { isOperationAllowed, type Vm, type VmAction } from '@virtweb/protocol';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { DisabledReason, disabledReasonProps } from '../components/DisabledReason.tsx';
import { useNotify } from '../components/notify/context.ts';
import { useRoleGate } from '../queries/role.ts';
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
 * the server's 409s follow too) for a user with the operate role, busy while pending, errors as toasts.
 */
export function VmActionBtn({ vm, action, label, confirm, accepted, primary, danger }: Props) {
  const mutation = useVmAction(action);
  const notify = useNotify();
  const role = useRoleGate('operate');
  const allowed = role.allowed && isOperationAllowed(action, vm.state);
  const reasonId = useId();

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
        disabledReason={role.reason}
        busy={mutation.isPending}
        danger={danger}
      >
        {confirm.text}
      </ConfirmButton>
    );
  }
  const cls = primary ? 'btn btn-primary' : danger ? 'btn btn-danger' : 'btn';
  return (
    <>
      <button
        type="button"
        className={cls}
        disabled={!allowed || mutation.isPending}
        aria-busy={mutation.isPending}
        {...disabledReasonProps(reasonId, !allowed, role.reason)}
        onClick={run}
      >
        {mutation.isPending ? `${label}…` : label}
      </button>
      <DisabledReason id={reasonId} disabled={!allowed} reason={role.reason} />
    </>
  );
}
