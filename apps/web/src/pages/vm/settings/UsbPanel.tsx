import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  MAX_USB_DEVICES,
  usbDeviceText,
  usbName,
  type HostUsbDevice,
  type UsbDevice,
  type Vm,
} from '@virtweb/protocol';
import { errorText, type ApiError } from '../../../api/errors.ts';
import { attachUsb, detachUsb } from '../../../api/vmUsb.ts';
import { DataTable } from '../../../components/DataTable.tsx';
import { Field } from '../../../components/Field.tsx';
import { FormError } from '../../../components/FormError.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { hostUsbQuery } from '../../../queries/host.ts';
import { isLive } from '../storage/storageStates.ts';

/** "SanDisk Ultra (0781:5581, 1-1)". */
const hostLabel = (d: HostUsbDevice): string => {
  const ids = `${d.vendorId}:${d.productId}, ${d.bus}-${d.port}`;
  const name = usbName(d);
  return name === undefined ? ids : `${name} (${ids})`;
};

/**
 * Host USB devices passed through to the guest (virt-manager's "USB Host Device"): the attached ones, and the
 * host's devices to attach. Attaching and detaching apply at once while the guest runs, and are kept.
 */
export function UsbPanel({ vm }: { vm: Vm }) {
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState('');
  const host = useQuery(hostUsbQuery());
  const choices = (host.data?.devices ?? []).filter((d) => !d.hub);
  const attach = useMutation({
    mutationFn: (d: HostUsbDevice) => {
      // Two of a kind are told apart by where they are plugged in.
      const twins = choices.filter((c) => c.vendorId === d.vendorId && c.productId === d.productId).length;
      return attachUsb(vm.id, {
        vendorId: d.vendorId,
        productId: d.productId,
        ...(twins > 1 ? { bus: d.bus, port: d.port } : {}),
      });
    },
    onSuccess: () => {
      setError(null);
      setPicked('');
      void host.refetch();
    },
    onError: (err: ApiError) => setError(errorText(err)),
  });
  const chosen = choices.find((d) => `${d.bus}-${d.port}` === picked);
  return (
    <section className="panel settings-usb" aria-labelledby="usb-title">
      <h2 id="usb-title">USB host devices</h2>
      <p className="muted">
        {isLive(vm.state)
          ? 'The guest runs: attaching and detaching apply at once. The tablet for the pointer always stays.'
          : 'Changes are stored and apply at the next start. The tablet for the pointer always stays.'}
      </p>
      {vm.usb.length === 0 ? (
        <p className="muted">No USB devices of the host are passed through.</p>
      ) : (
        <DataTable labelledBy="usb-title" columns={['Slot', 'Device', 'Ids']} actions>
          {vm.usb.map((u) => (
            <UsbRow key={u.slot} vm={vm} usb={u} onError={setError} />
          ))}
        </DataTable>
      )}
      <FormError message={error} />
      {host.isError && (
        <QueryError what="the host's USB devices" error={host.error} onRetry={() => void host.refetch()} />
      )}
      {host.data?.note !== undefined && <p className="muted">{host.data.note}.</p>}
      {host.data !== undefined && host.data.note === undefined && choices.length === 0 && (
        <p className="muted">No USB devices are plugged into the host (hubs are not passed through).</p>
      )}
      {choices.length > 0 && (
        <div className="field-row">
          <Field label="Host device">
            {(p) => (
              <select {...p} value={picked} onChange={(e) => setPicked(e.target.value)}>
                <option value="">Choose a device…</option>
                {choices.map((d) => (
                  <option key={`${d.bus}-${d.port}`} value={`${d.bus}-${d.port}`}>
                    {hostLabel(d)}
                    {d.usedBy.length > 0 ? ` — attached to ${d.usedBy.map((u) => u.name).join(', ')}` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            disabled={chosen === undefined || attach.isPending || vm.usb.length >= MAX_USB_DEVICES}
            onClick={() => chosen && attach.mutate(chosen)}
          >
            Attach USB device
          </button>
        </div>
      )}
    </section>
  );
}

function UsbRow({ vm, usb, onError }: { vm: Vm; usb: UsbDevice; onError: (message: string | null) => void }) {
  const detach = useMutation({
    mutationFn: () => detachUsb(vm.id, usb.slot),
    onSuccess: () => onError(null),
    onError: (err: ApiError) => onError(errorText(err)),
  });
  return (
    <tr>
      <td>{usb.slot}</td>
      <td>{usb.label ?? 'USB device'}</td>
      <td>{usbDeviceText(usb)}</td>
      <td>
        <button type="button" disabled={detach.isPending} onClick={() => detach.mutate()}>
          Detach USB {usb.slot}
        </button>
      </td>
    </tr>
  );
}
