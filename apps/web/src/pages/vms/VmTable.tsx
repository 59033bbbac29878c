import { useRef, useState } from 'react';
import { isOperationAllowed, type Vm, type VmAction } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { PauseVmBtn } from '../../actions/PauseVmBtn.tsx';
import { PowerOffVmBtn } from '../../actions/PowerOffVmBtn.tsx';
import { ResumeVmBtn } from '../../actions/ResumeVmBtn.tsx';
import { ShutdownVmBtn } from '../../actions/ShutdownVmBtn.tsx';
import { StartVmBtn } from '../../actions/StartVmBtn.tsx';
import { StateBadge } from '../../components/StateBadge.tsx';
import { TagList } from '../../components/TagList.tsx';
import { useCardLabels } from '../../components/useCardLabels.ts';
import { accelLabel, memoryLabel } from '../vmFormat.ts';
import { useSortedVms, type SortKey } from './cpuSort.ts';
import { GuestLoadCells } from './GuestLoadCells.tsx';
import { SortHeader } from './SortHeader.tsx';

/** The actions that make sense in a list row for the current state (the VM page has all of them). */
function RowActions({ vm }: { vm: Vm }) {
  const show = (a: VmAction) => isOperationAllowed(a, vm.state);
  return (
    <div className="actions">
      {show('start') && <StartVmBtn vm={vm} />}
      {show('resume') && <ResumeVmBtn vm={vm} />}
      {show('shutdown') && <ShutdownVmBtn vm={vm} />}
      {show('pause') && <PauseVmBtn vm={vm} />}
      {show('poweroff') && <PowerOffVmBtn vm={vm} />}
    </div>
  );
}

interface Props {
  vms: Vm[];
  /** Ids of the selected guests (the checkbox column), and how the selection changes. */
  selected: ReadonlySet<string>;
  onSelect: (ids: ReadonlySet<string>) => void;
}

export function VmTable({ vms, selected, onSelect }: Props) {
  const [sort, setSort] = useState<SortKey | null>(null);
  const rows = useSortedVms(vms, sort);
  const sortProps = { current: sort, onSort: setSort };
  const table = useRef<HTMLTableElement>(null);
  useCardLabels(table);
  const allSelected = vms.length > 0 && vms.every((v) => selected.has(v.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect(next);
  };
  return (
    <div className="table-wrap">
      <table ref={table} className="vm-table cards">
        <caption className="visually-hidden">Guests on this host</caption>
        <thead>
          <tr>
            <th scope="col" className="select-col">
              <input
                type="checkbox"
                aria-label="Select all guests shown"
                checked={allSelected}
                onChange={(e) => onSelect(new Set(e.target.checked ? vms.map((v) => v.id) : []))}
              />
            </th>
            <SortHeader sortKey="name" direction="ascending" {...sortProps}>
              Name
            </SortHeader>
            <th scope="col">Tags</th>
            <th scope="col">State</th>
            <th scope="col" title="From the guest agent, while the guest runs">
              IP addresses
            </th>
            <SortHeader sortKey="cpu" direction="descending" {...sortProps}>
              CPU
            </SortHeader>
            <th
              scope="col"
              title="What the qemu process holds in host RAM (its RSS), not what the guest uses"
            >
              Host RAM (qemu)
            </th>
            <th scope="col">Accelerator</th>
            <th scope="col" className="num">
              Memory
            </th>
            <th scope="col" className="num">
              vCPUs
            </th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((vm) => (
            <tr key={vm.id}>
              <td className="select-col">
                <input
                  type="checkbox"
                  aria-label={`Select ${vm.name}`}
                  checked={selected.has(vm.id)}
                  onChange={(e) => toggle(vm.id, e.target.checked)}
                />
              </td>
              <th scope="row">
                <Link to={`/vms/${vm.id}`}>{vm.name}</Link>
                {vm.engine.id === 'libvirt' && (
                  <span
                    className="badge engine-badge"
                    title={`a guest of the libvirt connection ${vm.engine.connection}`}
                  >
                    libvirt
                  </span>
                )}
              </th>
              <td>
                <TagList tags={vm.tags ?? []} label={`Tags of ${vm.name}`} />
              </td>
              <td>
                <StateBadge state={vm.state} />
              </td>
              <td className="addresses">
                {vm.addresses && vm.addresses.length > 0 ? (
                  vm.addresses.map((a) => (
                    <div key={a}>
                      <code>{a}</code>
                    </div>
                  ))
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <GuestLoadCells vm={vm} />
              <td title={vm.accelReason}>{accelLabel(vm)}</td>
              <td className="num">{memoryLabel(vm.memoryMiB)}</td>
              <td className="num">{vm.vcpus}</td>
              <td>
                <RowActions vm={vm} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
