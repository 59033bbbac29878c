import { useRef, useState, type SubmitEvent } from 'react';
import { CreateNetworkRequestSchema, type NetworkKind } from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';
import { CheckboxField } from '../../components/CheckboxField.tsx';
import { FormError } from '../../components/FormError.tsx';
import { SubmitButton } from '../../components/FormButtons.tsx';
import { RadioGroup } from '../../components/RadioGroup.tsx';
import { showFormErrors } from '../../components/showFormErrors.ts';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useCreateNetwork } from '../../queries/networks.ts';
import { KIND_OPTIONS } from './networkWords.ts';

type FieldName = 'name' | 'subnet' | 'bridge';
type Errors = Partial<Record<FieldName | 'form', string>>;

const FIELDS: readonly string[] = ['name', 'subnet', 'bridge'];

/** A new network: NAT or isolated (a subnet, the bridge named for it unless given) or an existing host bridge. */
export function CreateNetworkForm() {
  const create = useCreateNetwork();
  const notify = useNotify();
  const form = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<NetworkKind>('nat');
  const [subnet, setSubnet] = useState('');
  const [bridge, setBridge] = useState('');
  const [autostart, setAutostart] = useState(true);
  const [errors, setErrors] = useState<Errors>({});

  const fail = (next: Errors) => showFormErrors(form, () => setErrors(next));

  const showApiError = (err: ApiError) => {
    const next: Errors = {};
    for (const d of err.details) {
      const field = d.path.split('.')[0] ?? '';
      if (FIELDS.includes(field)) next[field as FieldName] ??= d.message;
    }
    next.form = err.message;
    fail(next);
  };

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const request =
      kind === 'bridge'
        ? { name, kind, bridge, autostart }
        : { name, kind, subnet, autostart, ...(bridge === '' ? {} : { bridge }) };
    const parsed = CreateNetworkRequestSchema.safeParse(request);
    if (!parsed.success) {
      const first = (field: string) => parsed.error.issues.find((i) => i.path[0] === field)?.message;
      return fail({ name: first('name'), subnet: first('subnet'), bridge: first('bridge') });
    }
    setErrors({});
    create.mutate(parsed.data, {
      onSuccess: (n) => {
        notify.success(`Network ${n.name} created and ${n.state}`);
        setName('');
        setSubnet('');
        setBridge('');
      },
      onError: showApiError,
    });
  };

  return (
    <section className="panel" aria-labelledby="new-network-title">
      <h2 id="new-network-title">New network</h2>
      <form ref={form} className="form" onSubmit={submit} noValidate>
        <FormError message={errors.form} focusable />
        <TextField
          label="Name"
          value={name}
          onChange={setName}
          error={errors.name}
          hint="a-z 0-9 -, starting with a letter, up to 15"
          spellCheck={false}
        />
        <RadioGroup legend="Kind" value={kind} options={KIND_OPTIONS} onChange={setKind} />
        {kind !== 'bridge' && (
          <TextField
            label="Subnet"
            value={subnet}
            onChange={setSubnet}
            error={errors.subnet}
            hint="IPv4 CIDR, /16 to /29, clear of the host's networks, e.g. 10.10.0.0/24; the bridge gets its first address"
            spellCheck={false}
          />
        )}
        <TextField
          label={kind === 'bridge' ? 'Host bridge' : 'Bridge name (optional)'}
          value={bridge}
          onChange={setBridge}
          error={errors.bridge}
          hint={
            kind === 'bridge'
              ? 'an existing bridge of this host, e.g. br0'
              : 'vwbr-<name> unless given; must not exist yet'
          }
          spellCheck={false}
        />
        <CheckboxField
          label="Start with the server"
          checked={autostart}
          onChange={setAutostart}
          hint="Comes up when virtweb starts (it is started now in any case)."
        />
        <div className="form-buttons">
          <SubmitButton label="Create network" busyLabel="Creating…" busy={create.isPending} />
        </div>
      </form>
    </section>
  );
}
