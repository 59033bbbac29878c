import { useRef, useState } from 'react';
import { isOperationAllowed, type Vm, type VmAction } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { PauseVmBtn } from '../../actions/PauseVmBtn.tsx';
import { PowerOffVmBtn } from '../../actions/PowerOffVmBtn.tsx';
import { ResumeVmBtn } from '../../actions/ResumeVmBtn.tsx';
import { ShutdownVmBtn } from '../../actions/ShutdownVmBtn.tsx';
import { StartVmBtn } from '../../actions/StartVmBtn.tsx';
import { StateBadge } from '../../components/StateBadge.tsx';
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

export function VmTable({ vms }: { vms: Vm[] }) {
  const [sort, setSort] = useState<SortKey | null>(null);
  const rows = useSortedVms(vms, sort);
  const sortProps = { current: sort, onSort: setSort };
  const table = useRef<HTMLTableElement>(null);
  useCardLabels(table);
  return (
    <div className="table-wrap">
      <table ref={table} className="vm-table cards">
        <caption className="visually-hidden">Guests on this host</caption>
        <thead>
          <tr>
            <SortHeader sortKey="name" direction="ascending" {...sortProps}>
              Name
            </SortHeader>
            <th scope="col">State</th>
            <SortHeader sortKey="cpu" direction="descending" {...sortProps}>
              CPU
            </SortHeader>
            <th scope="col">Memory used</th>
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
              <th scope="row">
                <Link to={`/vms/${vm.id}`}>{vm.name}</Link>
              </th>
              <td>
                <StateBadge state={vm.state} />
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
