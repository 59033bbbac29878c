import { useState, type SubmitEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { MacSchema, MAX_NICS, OS_PRESETS, type Nic, type Vm } from '@virtweb/protocol';
import type { ApiError } from '../../../api/errors.ts';
import { addNic, patchNic, removeNic } from '../../../api/vmNics.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { FormError } from '../../../components/FormError.tsx';
import { TextField } from '../../../components/TextField.tsx';
import { isLive } from '../storage/storageStates.ts';
import { nicLabel } from './labels.ts';

const errorText = (err: ApiError): string => err.details[0]?.message ?? err.message;

/**
 * The guest's NICs: each with its slot, model, MAC, attachment and a link switch; add (user-mode NAT, the
 * preset's model) and remove. While the guest runs these apply at once (hot-plug, unplug, the link).
 */
export function NicsPanel({ vm }: { vm: Vm }) {
  const [error, setError] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => addNic(vm.id, { mode: 'user', model: OS_PRESETS[vm.os].nicModel }),
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
    change.mutate(
      { mac: parsed.data },
      { onError: (err: ApiError) => setMacError(err.details[0]?.message ?? err.message) },
    );
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
