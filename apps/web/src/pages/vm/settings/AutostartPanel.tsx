import { useState, type SubmitEvent } from 'react';
import { AutostartSchema, type Vm } from '@virtweb/protocol';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { NumberField } from '../../../components/NumberField.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useSetAutostart } from '../../../queries/vmConfig.ts';

/** "Start with the host": applies at once (it changes nothing in the guest), in any state. */
export function AutostartPanel({ vm }: { vm: Vm }) {
  const [enabled, setEnabled] = useState(vm.autostart?.enabled ?? false);
  const [order, setOrder] = useState(String(vm.autostart?.order ?? 0));
  const [delay, setDelay] = useState(String(vm.autostart?.delaySec ?? 0));
  const [errors, setErrors] = useState<{ order?: string; delaySec?: string }>({});
  const mutation = useSetAutostart(vm.id);
  const notify = useNotify();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = AutostartSchema.safeParse({
      enabled,
      order: order.trim() === '' ? 0 : Number(order),
      delaySec: delay.trim() === '' ? 0 : Number(delay),
    });
    if (!parsed.success) {
      const found: typeof errors = {};
      for (const i of parsed.error.issues) {
        const field = i.path[0];
        if (field === 'order' || field === 'delaySec') found[field] = i.message;
      }
      setErrors(found);
      return;
    }
    setErrors({});
    mutation.mutate(parsed.data, {
      onSuccess: (saved) =>
        notify.success(
          saved.autostart
            ? `${vm.name} starts with the host (order ${saved.autostart.order})`
            : `${vm.name} no longer starts with the host`,
        ),
      onError: (err) => notify.error('Could not save autostart', err),
    });
  };

  return (
    <section className="panel" aria-labelledby="autostart-title">
      <h2 id="autostart-title">Start with the host</h2>
      <form className="settings-inline" onSubmit={submit} noValidate aria-label={`Autostart of ${vm.name}`}>
        <CheckboxField
          label="Start this guest when the host starts"
          checked={enabled}
          onChange={setEnabled}
          hint="On the server's first start after the host booted; a server restart alone starts nothing."
        />
        <NumberField
          label="Order"
          error={errors.order}
          hint="Lower starts first (0-999)."
          min={0}
          max={999}
          value={order}
          disabled={!enabled}
          onChange={setOrder}
        />
        <NumberField
          label="Then wait (seconds)"
          error={errors.delaySec}
          hint="Before the next guest starts (0-600)."
          min={0}
          max={600}
          value={delay}
          disabled={!enabled}
          onChange={setDelay}
        />
        <button type="submit" className="btn" disabled={mutation.isPending} aria-busy={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : 'Save autostart'}
        </button>
      </form>
    </section>
  );
}
