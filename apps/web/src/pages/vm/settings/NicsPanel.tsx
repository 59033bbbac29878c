import { useState, type SubmitEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { MacSchema, MAX_NICS, OS_PRESETS, type Nic, type NicModel, type Vm } from '@virtweb/protocol';
import { errorText, type ApiError } from '../../../api/errors.ts';
import { addNic, patchNic, removeNic } from '../../../api/vmNics.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { Field } from '../../../components/Field.tsx';
import { nicNetworksQuery } from '../../../queries/networks.ts';
import { NicModelField } from '../../vms/wizard/NetworkEditor.tsx';
import { FormError } from '../../../components/FormError.tsx';
import { TextField } from '../../../components/TextField.tsx';
import { isLive } from '../storage/storageStates.ts';
import { nicLabel } from './labels.ts';

/**
 * The guest's NICs: each with its slot, model, MAC, attachment and a link switch; add (user-mode NAT or a
 * virtual network, a model) and remove. While the guest runs these apply at once (hot-plug, unplug, the link).
 */
export function NicsPanel({ vm }: { vm: Vm }) {
  const [error, setError] = useState<string | null>(null);
  // `user`, or `network:<name>` for a managed network.
  const [attach, setAttach] = useState('user');
  const [model, setModel] = useState<NicModel>(OS_PRESETS[vm.os].nicModel);
  const networks = useQuery(nicNetworksQuery());
  const add = useMutation({
    mutationFn: () =>
      addNic(
        vm.id,
        attach.startsWith('network:')
          ? { mode: 'network', network: attach.slice('network:'.length), model }
          : { mode: 'user', model },
      ),
    onSuccess: () => setError(null),
    onError: (err: ApiError) => setError(errorText(err)),
  });
  const live = isLive(vm.state);
  return (
    <section className="panel settings-nics" aria-labelledby="nics-title">
      <h2 id="nics-title">Network cards</h2>
      <p className="muted">
        {live
          ? 'The guest runs: adding, removing and the link apply at once (hot-plug); a new MAC or model at the next start.'
          : 'Changes are stored and apply at the next start.'}
      </p>
      {vm.nics.length === 0 ? (
        <p className="muted">No network cards: the guest has no network.</p>
      ) : (
        <DataTable labelledBy="nics-title" columns={['Slot', 'Model', 'MAC', 'Attachment', 'Link']} actions>
          {vm.nics.map((nic) => (
            <NicRow key={nic.slot} vm={vm} nic={nic} onError={setError} />
          ))}
        </DataTable>
      )}
      <FormError message={error} />
      <div className="field-row">
        <Field label="New card attached to">
          {(p) => (
            <select {...p} value={attach} onChange={(e) => setAttach(e.target.value)}>
              <option value="user">User-mode NAT</option>
              {(networks.data ?? []).map((n) => (
                <option key={n.name} value={`network:${n.name}`}>
                  Virtual network {n.name} ({n.kind}
                  {n.state === 'stopped' ? ', stopped' : ''})
                </option>
              ))}
            </select>
          )}
        </Field>
        <NicModelField label="New card model" value={model} onChange={setModel} />
      </div>
      <button
        type="button"
        disabled={add.isPending || vm.nics.length >= MAX_NICS}
        onClick={() => add.mutate()}
      >
        Add network card
      </button>
    </section>
  );
}

function NicRow({ vm, nic, onError }: { vm: Vm; nic: Nic; onError: (message: string | null) => void }) {
  const [mac, setMac] = useState(nic.mac);
  const [macError, setMacError] = useState<string | undefined>(undefined);
  const change = useMutation({
    mutationFn: (patch: { linkUp?: boolean; mac?: string }) => patchNic(vm.id, nic.slot, patch),
    onSuccess: () => onError(null),
    onError: (err: ApiError) => onError(errorText(err)),
  });
  const remove = useMutation({
    mutationFn: () => removeNic(vm.id, nic.slot),
    onSuccess: () => onError(null),
    onError: (err: ApiError) => onError(errorText(err)),
  });
  const saveMac = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = MacSchema.safeParse(mac.trim());
    if (!parsed.success) {
      setMacError(parsed.error.issues[0]?.message);
      return;
    }
    setMacError(undefined);
    change.mutate({ mac: parsed.data }, { onError: (err: ApiError) => setMacError(errorText(err)) });
  };
  return (
    <tr>
      <td>{nic.slot}</td>
      <td>{nic.model}</td>
      <td>
        <form className="settings-inline" onSubmit={saveMac} noValidate aria-label={`MAC of NIC ${nic.slot}`}>
          <TextField
            label={`MAC of NIC ${nic.slot}`}
            value={mac}
            onChange={setMac}
            error={macError}
            spellCheck={false}
          />
          <button type="submit" disabled={change.isPending || mac === nic.mac}>
            Save MAC
          </button>
        </form>
      </td>
      <td>{nicLabel(nic)}</td>
      <td>
        <label className="checkbox">
          <input
            type="checkbox"
            role="switch"
            checked={nic.linkUp}
            disabled={change.isPending}
            onChange={(e) => change.mutate({ linkUp: e.target.checked })}
          />
          Link of NIC {nic.slot} {nic.linkUp ? 'up' : 'down'}
        </label>
      </td>
      <td>
        <button type="button" disabled={remove.isPending} onClick={() => remove.mutate()}>
          Remove NIC {nic.slot}
        </button>
      </td>
    </tr>
  );
}
