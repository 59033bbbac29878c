import { useRef, useState, type SubmitEvent } from 'react';
import { CreateConnectionRequestSchema } from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { SubmitButton } from '../../components/FormButtons.tsx';
import { showFormErrors } from '../../components/showFormErrors.ts';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useAddConnection } from '../../queries/connections.ts';

type Errors = Partial<Record<'uri' | 'form', string>>;

/** virt-manager's "Add Connection": a libvirt URI, local or remote. */
export function AddConnectionForm() {
  const add = useAddConnection();
  const notify = useNotify();
  const form = useRef<HTMLFormElement>(null);
  const [uri, setUri] = useState('qemu:///system');
  const [errors, setErrors] = useState<Errors>({});
  const fail = (next: Errors) => showFormErrors(form, () => setErrors(next));

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = CreateConnectionRequestSchema.safeParse({ uri });
    if (!parsed.success) return fail({ uri: parsed.error.issues[0]?.message });
    setErrors({});
    add.mutate(parsed.data, {
      onSuccess: (c) => notify.success(`Connection ${c.uri} added`),
      onError: (err: ApiError) => fail({ uri: err.details[0]?.message, form: err.message }),
    });
  };

  return (
    <section className="panel" aria-labelledby="add-connection-title">
      <h2 id="add-connection-title">Add connection</h2>
      <form ref={form} className="form" onSubmit={submit} noValidate>
        <FormError message={errors.form} focusable />
        <TextField
          label="libvirt URI"
          value={uri}
          onChange={setUri}
          error={errors.uri}
          hint="qemu:///system (this host), qemu+ssh://user@host/system or qemu+tls://host/system"
          spellCheck={false}
        />
        <SubmitButton label="Add connection" busyLabel="Connecting…" busy={add.isPending} />
      </form>
    </section>
  );
}
