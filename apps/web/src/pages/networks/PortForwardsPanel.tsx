import { useRef, useState, type SubmitEvent } from 'react';
import { NetworkPortForwardSchema, type ManagedNetwork, type NetworkPortForward } from '@virtweb/protocol';
import { DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { FormError } from '../../components/FormError.tsx';
import { SubmitButton } from '../../components/FormButtons.tsx';
import { NumberField } from '../../components/NumberField.tsx';
import { showFormErrors } from '../../components/showFormErrors.ts';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useSetPortForwards } from '../../queries/networks.ts';

const COLUMNS = ['Protocol', 'Host port', 'Guest address', 'Guest port'] as const;

type Errors = Partial<Record<'hostPort' | 'guestAddress' | 'guestPort' | 'form', string>>;

/** A NAT network's port forwards: host port → guest address and port (nftables DNAT), added and removed. */
export function PortForwardsPanel({ network, canEdit }: { network: ManagedNetwork; canEdit: boolean }) {
  const save = useSetPortForwards();
  const notify = useNotify();
  const form = useRef<HTMLFormElement>(null);
  const [protocol, setProtocol] = useState<'tcp' | 'udp'>('tcp');
  const [hostPort, setHostPort] = useState('');
  const [guestAddress, setGuestAddress] = useState('');
  const [guestPort, setGuestPort] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const forwards = network.portForwards;

  const send = (next: NetworkPortForward[], done: () => void) =>
    save.mutate(
      { name: network.name, portForwards: next },
      {
        onSuccess: done,
        onError: (err) => showFormErrors(form, () => setErrors({ form: err.message })),
      },
    );

  const add = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = NetworkPortForwardSchema.safeParse({
      protocol,
      hostPort: Number(hostPort),
      guestAddress,
      guestPort: Number(guestPort),
    });
    if (!parsed.success) {
      const first = (f: string) => parsed.error.issues.find((i) => i.path[0] === f)?.message;
      return showFormErrors(form, () =>
        setErrors({
          hostPort: first('hostPort'),
          guestAddress: first('guestAddress'),
          guestPort: first('guestPort'),
        }),
      );
    }
    setErrors({});
    send([...forwards, parsed.data], () => {
      notify.success(`Forwarding ${parsed.data.protocol} port ${parsed.data.hostPort}`);
      setHostPort('');
      setGuestPort('');
    });
  };

  return (
    <section className="panel" aria-labelledby="forwards-title">
      <h2 id="forwards-title">Port forwards</h2>
      {forwards.length === 0 ? (
        <p className="muted">No port forwards: guests are reached from outside only through the host.</p>
      ) : (
        <DataTable labelledBy="forwards-title" columns={COLUMNS} actions>
          {forwards.map((f, i) => (
            <tr key={`${f.protocol}/${f.hostPort}`}>
              <th scope="row">{f.protocol}</th>
              <td>{f.hostPort}</td>
              <td>
                <code>{f.guestAddress}</code>
              </td>
              <td>{f.guestPort}</td>
              <td>
                <button
                  type="button"
                  className="btn"
                  disabled={!canEdit || save.isPending}
                  onClick={() =>
                    send(
                      forwards.filter((_, j) => j !== i),
                      () => undefined,
                    )
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {canEdit && (
        <form ref={form} className="form" onSubmit={add} noValidate aria-label="Add a port forward">
          <FormError message={errors.form} focusable />
          <div className="port-forward-row">
            <Field label="Protocol">
              {(p) => (
                <select
                  {...p}
                  value={protocol}
                  onChange={(e) => setProtocol(e.target.value as 'tcp' | 'udp')}
                >
                  <option value="tcp">tcp</option>
                  <option value="udp">udp</option>
                </select>
              )}
            </Field>
            <NumberField
              label="Host port"
              value={hostPort}
              onChange={setHostPort}
              error={errors.hostPort}
              min={1}
              max={65535}
            />
            <TextField
              label="Guest address"
              value={guestAddress}
              onChange={setGuestAddress}
              error={errors.guestAddress}
              hint={`in ${network.subnet ?? 'the subnet'}`}
              spellCheck={false}
            />
            <NumberField
              label="Guest port"
              value={guestPort}
              onChange={setGuestPort}
              error={errors.guestPort}
              min={1}
              max={65535}
            />
          </div>
          <div className="form-buttons">
            <SubmitButton label="Add port forward" busyLabel="Saving…" busy={save.isPending} />
          </div>
        </form>
      )}
    </section>
  );
}
